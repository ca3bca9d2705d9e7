"""Writes the fixed evaluation sets the C# evaluator (`farm eval-model`) scores the exported model on.

eval-set.json: palette, background colours, band rows, 64 prompts sampled from the grammar with a fixed seed,
and 32 context cases whose clean first 4 frames (real clips, encoded by the VAE) are in context-latents.bin.
heldout-set.json: 160 prompts (128 going left or right, every verb of the grammar) from another seed, never used
for tuning, with their own render seeds.
long-tuning.json and long-test.json: two grids of 32 prompts for the long-clip evaluation, each covering every
world, subject and colour, left, right and still; settings are tuned on the first and reported on the second.
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


def palette_doc():
    """Palette, background colours and band rows: what the C# scorer judges frames by."""
    backgrounds = {name: {"sky": list(sky), "ground": list(ground if ground is not None else sky)}
                   for name, (sky, ground) in world.BACKGROUNDS.items()}
    return {"palette": {k: list(v) for k, v in world.PALETTE.items()}, "backgrounds": backgrounds,
            "skyRows": [quality.BAND_SKY.start, quality.BAND_SKY.stop],
            "groundRows": [quality.BAND_GROUND.start, quality.BAND_GROUND.stop]}


def prompt_item(scene, prompt):
    moving = scene.motion in ("left", "right")
    return {"prompt": prompt, "background": scene.background, "subject": scene.subject, "colour": scene.colour,
            "direction": scene.direction if moving else 0, "moving": moving, "fromShip": scene.from_ship}


def world_doc():
    """Every colour a world's frames may show, for the long-clip measure of a world kept: each background's sky,
    ground and props, each subject colour with its shades, the ship and the rocket's flame."""
    def shades(c):
        return [list(c), [int(v * 0.65) for v in c], [min(255, int(v * 0.6 + 100)) for v in c]]
    props = {"moon": [world.CRATER, world.STAR, world.SHIP, world.DOOR], "beach": [world.SEA], "grass": [],
             "space": [world.STAR, world.SHIP, world.DOOR]}
    worlds = {name: [list(sky)] + ([list(ground)] if ground is not None else []) + [list(p) for p in props[name]]
              for name, (sky, ground) in world.BACKGROUNDS.items()}
    return {"worldColours": worlds, "subjectShades": {k: shades(v) for k, v in world.PALETTE.items()},
            "shipColours": [list(world.SHIP), list(world.DOOR)], "rocketColours": [list(world.FLAME)]}


def write_prompt_set(path, items, seed_base):
    doc = {**palette_doc(), **world_doc(), "prompts": items, "context": [], "contextLatents": "", "seedBase": seed_base}
    json.dump(doc, open(path, "w"), indent=1)


def build_heldout(out, moving=128, other=32, seed=77031):
    """Prompts of the grammar the recipe was never tuned on: `moving` going left or right, `other` of any motion."""
    rng = random.Random(seed)
    items = []
    for k in range(moving + other):
        motion = rng.choice(["left", "right"]) if k < moving else None
        subject = rng.choice(world.SUBJECTS)
        if motion is None and subject == "rocket":
            motion = rng.choice(world.allowed_motions("rocket", False))
        scene = world.random_scene(rng, subject=subject, motion=motion, from_ship=False if motion else None)
        items.append(prompt_item(scene, world.prompt_for(scene, rng)))
    write_prompt_set(os.path.join(out, "heldout-set.json"), items, seed_base=900000)


def build_long_grid(path, seed, seed_base):
    """32 prompts: every world with every colour, subjects in turn, motions left, right and still in turn."""
    rng = random.Random(seed)
    items = []
    for w, background in enumerate(world.BACKGROUNDS):
        colours = list(world.PALETTE)
        rng.shuffle(colours)
        for c, colour in enumerate(colours):
            subject = world.SUBJECTS[(w + c) % len(world.SUBJECTS)]
            motion = ("left", "right", "still")[(w * 8 + c) % 3]
            scene = world.random_scene(rng, background=background, subject=subject, colour=colour, motion=motion,
                                       from_ship=False)
            items.append(prompt_item(scene, world.prompt_for(scene, rng)))
    write_prompt_set(path, items, seed_base)


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
    doc = {**palette_doc(), "prompts": items, "context": cases, "contextLatents": "context-latents.bin"}
    json.dump(doc, open(os.path.join(out, "eval-set.json"), "w"), indent=1)
    build_prompt_sets(out)


def build_prompt_sets(out):
    """The sets that need no VAE: the held-out prompts and the two long-clip grids."""
    build_heldout(out)
    build_long_grid(os.path.join(out, "long-tuning.json"), seed=5150, seed_base=700000)
    build_long_grid(os.path.join(out, "long-test.json"), seed=6160, seed_base=800000)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--vae", default="runs/full/vae.pt")
    ap.add_argument("--out", default="eval")
    ap.add_argument("--prompts", type=int, default=64, help="more than the shipped 64 narrows the figures' noise")
    ap.add_argument("--contexts", type=int, default=32)
    ap.add_argument("--prompt-sets-only", action="store_true", help="only the sets that need no VAE")
    a = ap.parse_args()
    if a.prompt_sets_only:
        build_prompt_sets(a.out)
    else:
        build(torch.load(a.vae), a.out, a.prompts, a.contexts)
