"""Draws training curves (losses and the quality metrics over training) from a run's training.json."""
import argparse
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot(record_path, out):
    rec = json.load(open(record_path))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    vae = rec.get("vae_curve") or []
    axes[0].plot([s for s, _, _ in vae], [l for _, l, _ in vae])
    axes[0].set_title(f"VAE loss ({(rec.get('vae_seconds') or 0) / 60:.1f} min)")
    axes[0].set_yscale("log")
    den = rec.get("denoiser_curve") or []
    axes[1].plot([s for s, _, _ in den], [l for _, l, _ in den])
    title = f"denoiser flow-matching loss ({(rec.get('denoiser_seconds') or 0) / 60:.1f} min"
    stages = [(name, rec.get(f"{name}_seconds")) for name in ("frame",)]
    stages = [(name, seconds) for name, seconds in stages if seconds]
    if stages:
        # later stages continue the step count; say which part of the time they took
        title += ", of which " + ", ".join(f"{name} stage {seconds / 60:.1f}" for name, seconds in stages)
    axes[1].set_title(title + ")")
    axes[1].set_xlabel("step")
    evals = rec.get("evals") or []
    for key in ("background", "colour", "direction"):
        axes[2].plot([s for s, _, _ in evals], [m[key] for _, m, _ in evals], marker="o", label=key)
    axes[2].set_ylim(0, 1.05)
    axes[2].set_title("quality during training (16 prompts, 12 steps, PyTorch)")
    axes[2].legend()
    fig.tight_layout()
    fig.savefig(out, dpi=80)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--record", default="runs/full/training.json")
    ap.add_argument("--out", default="training-curves.png")
    a = ap.parse_args()
    plot(a.record, a.out)
