"""Seed-prompt probe: samples the seed prompt from a run's stage (PyTorch, the shipped sampler), counts blue shapes and
ship-sized silver shapes per frame, and optionally saves a montage of frames 4 and 12 of every sample.

    /usr/bin/python3 experiments/seed_probe.py runs/v27 --stage frame_final.pt --png seed.png

Blue shapes: connected shapes of at least 6 px of the palette's blue; ships: ship-coloured shapes of at least 60 px.
Counts go through the VAE's own decoder and, when the run has stage 1b (`decoder.pt`), the wide decoder too."""
import argparse
import os
import sys

import numpy as np
import torch
from PIL import Image
from scipy import ndimage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import decoder_refit  # noqa: E402
import nets  # noqa: E402
import quality  # noqa: E402
import train  # noqa: E402
import world  # noqa: E402

SAMPLES, FRAMES = 8, 16


def decoders(run, vae):
    """The VAE's own decoder and, if stage 1b ran, the wide one."""
    found = {"own": nets.vae_decoder(vae).eval()}
    path = os.path.join(run, "decoder.pt")
    if os.path.exists(path):
        wide = torch.load(path)
        found["wide"] = nets.vae_decoder({**vae, "dec": wide["dec"], "decoder": wide["shape"]}).eval()
    return found


def load_stage(path, tok):
    """Text encoder and denoiser of a stage's final output or (EMA weights of) a checkpoint."""
    state = torch.load(path)
    if "ema_den" in state:
        state = {"text": state["ema_text"], "den": state["ema_den"], "vocab": len(tok.words)}
    text, den = nets.text_and_denoiser(state)
    return text.eval(), den.eval()


def count_shapes(frame):
    """(blue shapes, ship-sized silver shapes) in one RGB frame."""
    labels, n = ndimage.label(quality.colour_mask(frame, "blue"))
    blue = sum(1 for i in range(1, n + 1) if (labels == i).sum() >= 6)
    silver = np.linalg.norm(frame.astype(np.float32) - np.array(world.SHIP, np.float32), axis=-1) <= 40
    labels, n = ndimage.label(silver)
    ships = sum(1 for i in range(1, n + 1) if (labels == i).sum() >= 60)
    return blue, ships


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--stage", default="frame_final.pt")
    ap.add_argument("--png", default=None)
    ap.add_argument("--prompt", default=decoder_refit.SEED_PROMPT)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--guidance", type=float, default=4.0)
    a = ap.parse_args()
    torch.set_num_threads(2)
    tok = train.Tokenizer(world.vocabulary())
    vae = torch.load(os.path.join(a.run, "vae.pt"))
    text, den = load_stage(os.path.join(a.run, a.stage), tok)
    decoder_refit.SEED_PROMPT = a.prompt
    z = decoder_refit.denoise(text, den, tok, torch.zeros(SAMPLES, nets.LATENT_CHANNELS, FRAMES, 8, 8), 1.0,
                              seed=a.seed, guidance=a.guidance)
    rows = []
    for name, dec in decoders(a.run, vae).items():
        with torch.no_grad():
            flat = z.permute(0, 2, 1, 3, 4).reshape(-1, nets.LATENT_CHANNELS, 8, 8) / vae["scaling"]
            clips = train.to_u8(dec(flat)).reshape(SAMPLES, FRAMES, 64, 64, 3)
        counts = np.array([[count_shapes(f) for f in clip] for clip in clips])  # (samples, frames, 2)
        blue, ships = counts[..., 0], counts[..., 1]
        print(f"{name}: blue shapes/frame {blue.mean():.2f}, exactly one {np.mean(blue == 1):.0%}, "
              f"none {np.mean(blue == 0):.0%}; ship-sized silver/frame {ships.mean():.2f}, "
              f"samples with 2+ ships {np.mean(ships.max(axis=1) >= 2):.0%}")
        rows += [np.concatenate(list(clips[:, 4]), axis=1), np.concatenate(list(clips[:, 12]), axis=1)]
    if a.png:
        grid = np.concatenate(rows, axis=0)
        Image.fromarray(grid).resize((grid.shape[1] * 2, grid.shape[0] * 2), Image.NEAREST).save(a.png)


if __name__ == "__main__":
    main()
