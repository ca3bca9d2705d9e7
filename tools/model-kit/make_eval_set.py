"""Writes the fixed evaluation set the C# evaluator (`farm eval-model`) scores the exported model on.

eval-set.json: palette, background colours, band rows, 64 prompts sampled from the grammar with a fixed seed,
and 32 context cases whose clean first 4 frames (real clips, encoded by the VAE) are in context-latents.bin.
"""
import argparse
import json
import os
import random

import numpy as np
import torch

import nets
import quality
import world
from pixels import to_unit


def build(vae_state, out, prompts=64, contexts=32, context_frames=4):
    os.makedirs(out, exist_ok=True)
    enc = nets.VaeEncoder()
    enc.load_state_dict(vae_state["enc"])
    enc.eval()
    items = []
    for scene, prompt in world.evaluation_prompts(prompts):
        items.append({"prompt": prompt, "background": scene.background, "colour": scene.colour,
                      "direction": scene.direction if scene.motion in ("left", "right") else 0,
                      "moving": scene.motion in ("left", "right")})
    rng = random.Random(4242)
    cases, latents = [], []
    for i in range(contexts):
        scene = world.random_scene(rng, motion=rng.choice(["left", "right", "walk", "walk", "bounce", "still"]))
        prompt = world.prompt_for(scene, rng)
        clip = world.render_clip(scene, context_frames, 1, rng.uniform(0, 100))
        with torch.no_grad():
            z = enc(to_unit(clip)) * vae_state["scaling"]
        latents.append(z.numpy().astype(np.float32))
        moving = scene.motion in ("left", "right", "walk")
        cases.append({"prompt": prompt, "colour": scene.colour, "direction": scene.direction if moving else 0,
                      "moving": moving, "offset": i * context_frames, "frames": context_frames})
    np.concatenate(latents).astype("<f4").tofile(os.path.join(out, "context-latents.bin"))
    backgrounds = {name: {"sky": list(sky), "ground": list(ground if ground is not None else sky)}
                   for name, (sky, ground) in world.BACKGROUNDS.items()}
    doc = {"palette": {k: list(v) for k, v in world.PALETTE.items()}, "backgrounds": backgrounds,
           "skyRows": [quality.BAND_SKY.start, quality.BAND_SKY.stop],
           "groundRows": [quality.BAND_GROUND.start, quality.BAND_GROUND.stop],
           "prompts": items, "context": cases, "contextLatents": "context-latents.bin"}
    json.dump(doc, open(os.path.join(out, "eval-set.json"), "w"), indent=1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--vae", default="runs/full/vae.pt")
    ap.add_argument("--out", default="eval")
    ap.add_argument("--prompts", type=int, default=64, help="more than the shipped 64 narrows the figures' noise")
    ap.add_argument("--contexts", type=int, default=32)
    a = ap.parse_args()
    build(torch.load(a.vae), a.out, a.prompts, a.contexts)
