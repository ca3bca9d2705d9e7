"""Colour-based quality metrics for generated clips (the same rules the C# evaluator applies)."""
import numpy as np

import world

BAND_SKY = slice(0, 30)
BAND_GROUND = slice(48, 64)


def background_of(frames):
    """Nearest palette background by the mean colour of the top and bottom bands over the clip."""
    f = frames.astype(np.float32)
    top = f[:, BAND_SKY].reshape(-1, 3).mean(0)
    bottom = f[:, BAND_GROUND].reshape(-1, 3).mean(0)
    best, best_d = None, 1e9
    for name, (sky, ground) in world.BACKGROUNDS.items():
        g = ground if ground is not None else sky
        d = np.linalg.norm(top - np.array(sky)) + np.linalg.norm(bottom - np.array(g))
        if d < best_d:
            best, best_d = name, d
    return best


def colour_mask(frame, colour):
    return np.linalg.norm(frame.astype(np.float32) - np.array(world.PALETTE[colour], np.float32), axis=-1) <= 70


def colour_presence(frames, colour):
    """Fraction of frames with at least 4 pixels within RGB distance 70 of the palette colour."""
    return float(np.mean([colour_mask(f, colour).sum() >= 4 for f in frames]))


def direction_of(frames, colour):
    """Sign of a linear fit of the subject's x centroid; jumps over half the frame are wrap-arounds."""
    xs = []
    for f in frames:
        m = colour_mask(f, colour)
        xs.append(np.nonzero(m)[1].mean() if m.sum() >= 4 else np.nan)
    xs = np.array(xs)
    ok = ~np.isnan(xs)
    if ok.sum() < 3:
        return 0
    xs = xs[ok]
    steps = np.diff(xs)
    steps[np.abs(steps) > 16] = 0.0
    track = np.concatenate([[0.0], np.cumsum(steps)])
    slope = np.polyfit(np.arange(len(track)), track, 1)[0]
    return int(np.sign(slope)) if abs(slope) > 0.05 else 0


def score(scenes, clips):
    bg = np.mean([background_of(c) == s.background for s, c in zip(scenes, clips)])
    col = np.mean([colour_presence(c, s.colour) for s, c in zip(scenes, clips)])
    moving = [(s, c) for s, c in zip(scenes, clips) if s.motion in ("left", "right")]
    dirn = np.mean([direction_of(c, s.colour) == s.direction for s, c in moving]) if moving else float("nan")
    return {"background": float(bg), "colour": float(col), "direction": float(dirn)}
