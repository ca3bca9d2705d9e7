"""Experiment 9: is the dog in the shipped latents, and where does generation lose it? (not part of the recipe)

    /usr/bin/python3 experiments/decoder_refit.py probe --run runs/full
    /usr/bin/python3 experiments/decoder_refit.py refit --run runs/full --steps 3000
    /usr/bin/python3 experiments/decoder_refit.py show --run runs/full --png experiments/decoder-refit.png

`probe` fits linear read-outs (kind, facing, leg phase) on the frozen encoder's latents around the subject; `refit`
trains a wider decoder on the frozen encoder (so the latent space, and with it the denoiser, stays valid) and saves
`decoder.pt` in the run folder (the recipe's stage 1b, `train.py --decoder-steps`); `show` draws real seed-prompt frames, both decoders on their latents, those
latents noised to t and denoised back by the run's model, and samples from pure noise.
"""
import argparse
import os
import random
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import nets  # noqa: E402
import train  # noqa: E402
import world  # noqa: E402

SEED_PROMPT = "bluey walking on the moon after coming out of the spaceship"


def load_vae(run):
    vae = torch.load(os.path.join(run, "vae.pt"))
    enc = nets.VaeEncoder()
    enc.load_state_dict(vae["enc"])
    return vae, enc.eval(), nets.vae_decoder(vae).eval()


def wide_vae(run, steps=3000):
    """The run's VAE with the wider decoder of the recipe's stage 1b (192 channels at 8x8, 3 convs per resolution),
    trained on its frozen encoder unless `decoder.pt` is there already."""
    stage = argparse.Namespace(decoder_steps=steps, decoder_width=192, decoder_layers=3, bf16=False)
    return train.train_decoder(stage, torch.load(os.path.join(run, "vae.pt")), os.path.join(run, "decoder.pt"))


def seed_scene_frames(rng, count):
    scenes = [world.random_scene(rng, background="moon", subject="dog", colour="blue", motion="walk", from_ship=True)
              for _ in range(count)]
    return scenes, [rng.uniform(0, 30) for _ in scenes]


def probe(args):
    """Linear read-outs of the subject's facts from the 3x3 latent cells around it (held-out quarter)."""
    _, enc, _ = load_vae(args.run)
    rng = random.Random(3)
    frames, kind, facing, phase, where = [], [], [], [], []
    for _ in range(4000):
        scene = world.random_scene(rng, background="moon", from_ship=False)
        t = rng.uniform(0, 100)
        x, yb, leg = world.subject_state(scene, t)
        if 8 <= x <= 56:
            frames.append(world.render_frame(scene, t))
            kind.append(world.SUBJECTS.index(scene.subject))
            facing.append(int(scene.direction > 0))
            phase.append(leg)
            where.append((min(max(int(x // 8), 1), 6), min(max(int((yb - 6) // 8), 1), 6)))
    with torch.no_grad():
        z = torch.cat([enc(train.to_unit(np.stack(frames[i:i + 256]))) for i in range(0, len(frames), 256)])
    feats = torch.stack([zi[:, cy - 1:cy + 2, cx - 1:cx + 2].reshape(-1) for zi, (cx, cy) in zip(z, where)])
    feats = (feats - feats.mean(0)) / (feats.std(0) + 1e-6)
    split = int(len(feats) * 0.75)

    def accuracy(labels, classes, keep):
        idx = torch.tensor([i for i, k in enumerate(keep) if k])
        y = torch.tensor(labels)
        fit, held = idx[idx < split], idx[idx >= split]
        w = torch.zeros(feats.shape[1], classes, requires_grad=True)
        b = torch.zeros(classes, requires_grad=True)
        opt = torch.optim.Adam([w, b], lr=0.05)
        for _ in range(400):
            loss = F.cross_entropy(feats[fit] @ w + b, y[fit]) + 1e-3 * (w ** 2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
        return ((feats[held] @ w + b).argmax(1) == y[held]).float().mean().item()

    dogs = [k == 0 for k in kind]
    print(f"{len(feats)} frames; kind {accuracy(kind, 4, [True] * len(kind)):.3f}, "
          f"dog facing {accuracy(facing, 2, dogs):.3f}, dog leg phase {accuracy(phase, 2, dogs):.3f}")


def refit(args):
    """A wider decoder on the frozen encoder, loss weighted on subjects and the 2 px around them (the recipe's stage
    1b, `train.train_decoder`)."""
    wide_vae(args.run, args.steps)


def load_model(run):
    text, den = nets.text_and_denoiser(torch.load(os.path.join(run, "frame_final.pt")))
    return text.eval(), den.eval()


@torch.no_grad()
def denoise(text, den, tok, z, t_start, seed, guidance=4.0, steps=20, shift=2.0):
    """The shipped sampler (Euler, guidance 4) from noise level t_start; z is ignored at t_start = 1."""
    b, c, frames = z.shape[:3]
    g = torch.Generator().manual_seed(seed)
    ts = [train.shifted(1 - i / steps, shift) for i in range(steps + 1)]
    first = next(i for i, t in enumerate(ts) if t <= t_start)
    x = (1 - ts[first]) * z + ts[first] * torch.randn(z.shape, generator=g)
    states = torch.cat([text(torch.tensor([tok.encode("")] * b)), text(torch.tensor([tok.encode(SEED_PROMPT)] * b))])
    ctx = torch.zeros(2 * b, c, frames, 8, 8)
    mask = torch.zeros(2 * b, frames)
    stride = torch.ones(2 * b)
    for i in range(first, steps):
        v = den(torch.cat([x, x]), torch.full((2 * b,), ts[i]), states, ctx, mask, stride)
        x = x + (ts[i + 1] - ts[i]) * (v[:b] + guidance * (v[b:] - v[:b]))
    return x


def show(args):
    vae, enc, dec = load_vae(args.run)
    wide = nets.vae_decoder(wide_vae(args.run, args.steps)).eval()
    text, den = load_model(args.run)
    tok = train.Tokenizer(world.vocabulary())
    scenes, starts = seed_scene_frames(random.Random(5), 6)
    clips = np.stack([world.render_clip(s, 16, 1, t0) for s, t0 in zip(scenes, starts)])
    with torch.no_grad():
        z = enc(train.to_unit(clips.reshape(-1, 64, 64, 3))) * vae["scaling"]
    z = z.reshape(6, 16, 8, 8, 8).permute(0, 2, 1, 3, 4)
    frame = 6

    def decoded(d, latent):
        with torch.no_grad():
            return train.to_u8(d(latent[:, :, frame] / vae["scaling"]))

    rows = [clips[:, frame], decoded(dec, z), decoded(wide, z)]
    for t in (0.3, 0.5, 0.7):
        rows.append(decoded(wide, denoise(text, den, tok, z, t, seed=3)))
    sampled = denoise(text, den, tok, torch.zeros_like(z), 1.0, seed=11)
    rows += [decoded(dec, sampled), decoded(wide, sampled)]
    grid = np.concatenate([np.concatenate(list(r), axis=1) for r in rows], axis=0)
    Image.fromarray(grid).resize((grid.shape[1] * 2, grid.shape[0] * 2), Image.NEAREST).save(args.png)
    print(f"wrote {args.png}: rows = real frames; shipped decoder; wide decoder; real latents noised to t = 0.3, 0.5, "
          f"0.7 and denoised (wide decoder); samples from noise, shipped then wide decoder")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["probe", "refit", "show"])
    ap.add_argument("--run", default="runs/full")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--png", default="experiments/decoder-refit.png")
    args = ap.parse_args()
    torch.set_num_threads(2)
    {"probe": probe, "refit": refit, "show": show}[args.command](args)


if __name__ == "__main__":
    main()
