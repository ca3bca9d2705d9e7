"""Train moonwalk-tiny from scratch: VAE -> latent clip set -> text encoder + denoiser -> ONNX export.

Every stage checkpoints into --work and is skipped when its output already exists, so an interrupted run
resumes where it stopped:  /usr/bin/python3 train.py --work runs/full --out ../../models/moonwalk-tiny
"""
import argparse
import copy
import math
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

import export
import make_eval_set
import nets
import plot_curves
import quality
import world
from pixels import to_u8, to_unit


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


class Tokenizer:
    """Word-level tokenizer: lower case, letters only, unknown words -> id 1, pad id 0, fixed length."""

    def __init__(self, words):
        self.words = words
        self.ids = {w: i for i, w in enumerate(words)}

    def encode(self, text):
        import re
        toks = [self.ids.get(w, 1) for w in re.findall(r"[a-z]+", text.lower())][: nets.MAX_TOKENS]
        return toks + [0] * (nets.MAX_TOKENS - len(toks))


# ---------------------------------------------------------------- stage 1: VAE
# the VAE's loss weight on subject and ship pixels
VAE_SUBJECT_WEIGHT = 8.0


def subject_margin(mask, margin):
    """Subject and ship pixels plus the background within `margin` px of them.

    They are few but carry the meaning, so the VAE loss weighs them up; the margin matters because a dog's shape is
    as much the background between its legs and around its ears as its own pixels (without it the VAE draws a blob).
    """
    return F.max_pool2d(mask, 2 * margin + 1, stride=1, padding=margin) if margin > 0 else mask


def frame_batch(rng, count, scene=world.random_scene):
    """`count` random frames in [-1, 1] and their masks of what is not background (subjects, ship), (N, 1, H, W)."""
    frames, masks = [], []
    for _ in range(count):
        s = scene(rng)
        bg = world.background_frame(s)
        f = world.render_frame(s, rng.uniform(0, 200), bg)
        frames.append(f)
        masks.append(np.any(f != bg, axis=-1))
    return to_unit(np.stack(frames)), torch.from_numpy(np.stack(masks)).float()[:, None]


def scheduled_step(opt, sched, loss, label, step, steps, every, curve, t_start):
    """One optimiser and learning-rate step; the loss is logged and kept every `every` steps and after the last."""
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % every == 0 or step == steps - 1:
        log(f"{label} step {step} loss {loss.item():.5f}")
        curve.append((step, loss.item(), time.time() - t_start))


def train_vae(args, path):
    if os.path.exists(path):
        return torch.load(path)
    enc, dec = nets.VaeEncoder(), nets.VaeDecoder()
    opt = torch.optim.AdamW(list(enc.parameters()) + list(dec.parameters()), lr=2e-3, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=args.vae_steps, pct_start=0.1)
    rng = random.Random(1)
    curve = []
    t_start = time.time()
    for step in range(args.vae_steps):
        x, masks = frame_batch(rng, args.vae_batch)
        w = 1.0 + VAE_SUBJECT_WEIGHT * masks
        z = enc(x)
        y = dec(z + 0.05 * torch.randn_like(z))
        loss = ((y - x) ** 2 * w).mean() + 1e-4 * (z ** 2).mean()
        scheduled_step(opt, sched, loss, "vae", step, args.vae_steps, 100, curve, t_start)
    with torch.no_grad():
        frames = [world.render_frame(world.random_scene(rng), rng.uniform(0, 200)) for _ in range(512)]
        z = enc(to_unit(np.stack(frames)))
        scaling = float(1.0 / z.std())
    state = {"enc": enc.state_dict(), "dec": dec.state_dict(), "scaling": scaling, "curve": curve,
             "seconds": time.time() - t_start}
    torch.save(state, path)
    log(f"vae done, latent scaling {scaling:.4f}")
    return state


# the wide decoder's loss weights: subjects and the 2 px around them, whose gaps make a dog's shape
DECODER_SUBJECT_WEIGHT, DECODER_MARGIN = 24.0, 2


def train_decoder(args, vae, path):
    """Stage 1b: a wider decoder on the frozen encoder, so the latent space (and the denoiser trained on it) stays as
    it is. The VAE's own decoder draws every dog as a blob although its latents hold head, legs and facing (linear
    read-outs find kind, facing and leg phase in 86-96 % of frames); this one draws them. Returns the VAE state with
    this decoder in it (`decoder` records its shape)."""
    if args.decoder_steps <= 0:
        return vae
    if os.path.exists(path):
        saved = torch.load(path)
    else:
        enc = nets.VaeEncoder()
        enc.load_state_dict(vae["enc"])
        torch.manual_seed(1)
        shape = {"width": args.decoder_width, "layers": args.decoder_layers}
        dec = nets.VaeDecoder(**shape)
        opt = torch.optim.AdamW(dec.parameters(), lr=1e-3, weight_decay=0.0)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=args.decoder_steps, pct_start=0.05)
        rng = random.Random(7)
        curve = []
        t_start = time.time()
        for step in range(args.decoder_steps):
            # two dogs in five frames: the dog is the subject whose shape the VAE's decoder loses
            x, masks = frame_batch(rng, 48, lambda r: world.random_scene(r, subject="dog" if r.random() < 0.4 else None))
            weight = 1.0 + DECODER_SUBJECT_WEIGHT * subject_margin(masks, DECODER_MARGIN)
            with torch.no_grad():
                z = enc(x)
            with mixed_precision(args):
                y = dec(z + 0.05 * torch.randn_like(z)).float()
            loss = ((y - x) ** 2 * weight).mean()
            scheduled_step(opt, sched, loss, "decoder", step, args.decoder_steps, 250, curve, t_start)
        saved = {"dec": dec.state_dict(), "shape": shape, "curve": curve, "seconds": time.time() - t_start}
        torch.save(saved, path)
        log(f"decoder done in {saved['seconds']:.0f}s")
    return {**vae, "dec": saved["dec"], "decoder": saved["shape"], "decoder_seconds": saved["seconds"]}


# ---------------------------------------------------------------- stage 2: latent clip set
STRIDES = (1, 2, 4, 8)


def wrap_free_start(scene, frames, stride, rng, tries=30):
    """A start time whose clip has no wrap-around teleport, when the clip's travel allows one (short strides)."""
    t0 = rng.uniform(0, 200)
    if scene.motion not in ("left", "right", "walk"):
        return t0
    for _ in range(tries):
        xs = [world.subject_state(scene, t0 + k * stride)[0] for k in range(frames)]
        if max(abs(a - b) for a, b in zip(xs, xs[1:])) < 20:
            return t0
        t0 = rng.uniform(0, 200)
    return t0


def latent_clip_specs(args, tok):
    """The latent clip set's clips, in order: (scene, frame stride, start time, three tokenised prompts)."""
    rng = random.Random(2)
    for _ in range(args.clips):
        scene = world.random_scene(rng)
        stride = rng.choices(STRIDES, weights=(0.4, 0.2, 0.2, 0.2))[0]
        if scene.from_ship and rng.random() < 0.5:
            t0 = 0.0
        else:
            t0 = wrap_free_start(scene, args.clip_frames, stride, rng)
        yield scene, stride, t0, [tok.encode(world.prompt_for(scene, rng)) for _ in range(3)]


def scene_velocity(scene, stride):
    """The subject's true sideways speed in latent cells (8 px) per clip frame; 0 when it does not go sideways."""
    return scene.direction * scene.speed * stride / 8.0 if scene.motion in ("left", "right", "walk") else 0.0


def build_latents(args, vae, tok, path):
    if os.path.exists(path):
        return dict(np.load(path))
    enc = nets.VaeEncoder()
    enc.load_state_dict(vae["enc"])
    enc.eval()
    lat, ids, strides, velocity = [], [], [], []
    t_start = time.time()
    for i, (scene, stride, t0, prompt_ids) in enumerate(latent_clip_specs(args, tok)):
        clip = world.render_clip(scene, args.clip_frames, stride, t0)
        with torch.no_grad():
            z = enc(to_unit(clip)) * vae["scaling"]
        lat.append(z.numpy().astype(np.float16))
        ids.append(prompt_ids)
        strides.append(stride)
        velocity.append(scene_velocity(scene, stride))
        if i % 500 == 0:
            log(f"latents {i}/{args.clips} ({time.time() - t_start:.0f}s)")
    data = {"latents": np.stack(lat), "ids": np.array(ids, np.int64), "strides": np.array(strides, np.float32),
            "velocity": np.array(velocity, np.float32)}
    np.savez(path, **data)
    return data


# ---------------------------------------------------------------- stage 3: denoiser + text encoder
# The context-mask mix: (kind, cumulative share). No context, a clean prefix (autoregressive continuation), both
# ends (a window between two given frames) and sparse frames (keyframes).
CONTEXT_MIX = (("none", 0.4), ("prefix", 0.65), ("ends", 0.85), ("sparse", 1.0))


def random_context_mask(b, t, rng):
    """Which frames of each training window are given clean, drawn from the context-mask mix."""
    m = torch.zeros(b, t)
    for i in range(b):
        r = rng.random()
        kind = next(k for k, share in CONTEXT_MIX if r < share)
        if kind == "prefix":
            m[i, : rng.randint(1, min(8, t - 1))] = 1
        elif kind == "ends":
            m[i, 0] = 1
            m[i, -1] = 1
        elif kind == "sparse":
            k = rng.randint(1, max(1, t // 4))
            m[i, rng.sample(range(t), k)] = 1
    return m


def sample_timesteps(b):
    """Mostly logit-normal (detail is learnt mid-way), some uniform."""
    u = torch.sigmoid(torch.randn(b))
    uni = torch.rand(b)
    return torch.where(torch.rand(b) < 0.7, u, uni).clamp(1e-3, 1.0)


def subject_weight(x0):
    """Per latent cell, how much it stands out from its row (subjects, the ship), in [0, 1]."""
    deviation = (x0 - x0.median(dim=4, keepdim=True).values).abs().mean(dim=1, keepdim=True)
    return (deviation / 0.5).clamp(0, 1)


def base_loss_weight(x0):
    """Cells that carry the meaning (subjects, the ship) weigh more."""
    return 1.0 + 3.0 * subject_weight(x0)


class RunningLosses:
    """A stage's losses averaged over every 100 steps: logged, and the first one ("loss") added to the curve."""

    def __init__(self, label, curve, offset, t_start):
        self.label, self.curve, self.offset, self.t_start = label, curve, offset, t_start
        self.sums = {}

    def add(self, step, lr, **losses):
        for name, value in losses.items():
            self.sums[name] = self.sums.get(name, 0.0) + value
        if (step + 1) % 100 == 0:
            means = {name: total / 100 for name, total in self.sums.items()}
            self.curve.append((self.offset + step + 1, means["loss"], time.time() - self.t_start))
            parts = " ".join(f"{name} {mean:.4f}" for name, mean in means.items())
            log(f"{self.label}{step + 1} {parts} lr {lr:.2e} ({time.time() - self.t_start:.0f}s)")
            self.sums = {}


class Ema:
    def __init__(self, modules, decay):
        self.decay = decay
        self.shadow = [copy.deepcopy(m).eval() for m in modules]
        self.modules = modules

    @torch.no_grad()
    def update(self):
        for s, m in zip(self.shadow, self.modules):
            for ps, pm in zip(s.parameters(), m.parameters()):
                ps.mul_(self.decay).add_(pm.detach(), alpha=1 - self.decay)


class TrainingBatches:
    """Random training windows from the latent clip set: clips, lengths, prompts (with text dropout), noise."""

    def __init__(self, data, tok, batch, seed):
        self.lat = torch.from_numpy(data["latents"].astype(np.float32))  # (N, T, C, 8, 8)
        self.ids = torch.from_numpy(data["ids"])
        self.strides = torch.from_numpy(data["strides"])
        self.velocity = torch.from_numpy(data["velocity"])
        self.batch = batch
        self.empty = torch.tensor([tok.encode("")])
        self.rng = random.Random(seed)
        torch.manual_seed(seed)

    def next(self, timesteps, context_mask):
        n, total_t = self.lat.shape[0], self.lat.shape[1]
        b, rng = self.batch, self.rng
        t_len = min(rng.choices((16, 8, 24, 32, 4), weights=(0.55, 0.15, 0.12, 0.1, 0.08))[0], total_t)
        idx = torch.randint(0, n, (b,))
        off = [rng.randint(0, total_t - t_len) for _ in range(b)]
        x0 = torch.stack([self.lat[i, o:o + t_len] for i, o in zip(idx.tolist(), off)]).permute(0, 2, 1, 3, 4)
        tok_ids = self.ids[idx, torch.randint(0, 3, (b,))]
        drop = torch.rand(b) < 0.1
        tok_ids = torch.where(drop[:, None], self.empty.expand(b, -1), tok_ids)
        t = timesteps(b)
        noise = torch.randn_like(x0)
        tt = t[:, None, None, None, None]
        xt = (1 - tt) * x0 + tt * noise
        return x0, xt, noise, t, tok_ids, context_mask(b, t_len, rng), self.strides[idx], self.velocity[idx]


def cpu_has_bf16():
    """Whether this CPU computes bfloat16 natively (AVX-512 BF16 or AMX BF16)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = set(f.read().split())
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def mixed_precision(args):
    """bfloat16 autocast for a training step's forward pass (`--bf16`, on by default): on CPUs with AVX-512 BF16 it
    halves a denoiser step, on CPUs without it a step takes many times longer (`--no-bf16`); weights, optimiser, EMA
    and losses stay float32, and exports are float32."""
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16)


def optimise(opt, params, ema, loss):
    """One optimiser step with gradient clipping, then the EMA update."""
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    ema.update()


def warmup_cosine(base_lr, step, steps, warmup=200):
    return base_lr * min(1.0, (step + 1) / warmup) * (0.5 * (1 + math.cos(math.pi * step / steps)) * 0.9 + 0.1)


def resume_stage(ckpt, modules, opt, ema, name):
    """Loads a stage's checkpoint, if any, into its modules (key -> module), optimiser and EMA;
    returns (step, curve, evals, elapsed seconds)."""
    if not os.path.exists(ckpt):
        return 0, [], [], 0.0
    st = torch.load(ckpt)
    for key, module in modules.items():
        if isinstance(module, nets.Denoiser):
            nets.load_denoiser(module, st[key])
        else:
            module.load_state_dict(st[key])
    opt.load_state_dict(st["opt"])
    ema.shadow[0].load_state_dict(st["ema_text"])
    nets.load_denoiser(ema.shadow[1], st["ema_den"])
    log(f"resumed {name} at step {st['step']}")
    return st["step"], st["curve"], st["evals"], st["elapsed"]


def save_stage(ckpt, modules, opt, ema, step, curve, evals, elapsed):
    torch.save({**{key: m.state_dict() for key, m in modules.items()}, "opt": opt.state_dict(),
                "ema_text": ema.shadow[0].state_dict(), "ema_den": ema.shadow[1].state_dict(),
                "step": step, "curve": curve, "evals": evals, "elapsed": elapsed}, ckpt)


def evaluate_and_save(args, step, total, offset, label, ckpt, modules, opt, ema, vae, tok, curve, evals, t_start):
    """After a step of a stage: the quick evaluation and the checkpoint when they are due (and after its last step)."""
    last = step + 1 == total
    if (step + 1) % args.eval_every == 0 or last:
        m = quick_eval(ema.shadow[0], ema.shadow[1], vae, tok, args.eval_prompts)
        evals.append((offset + step + 1, m, time.time() - t_start))
        log(f"eval at {label}{step + 1}: {m}")
    if (step + 1) % args.ckpt_every == 0 or last:
        save_stage(ckpt, modules, opt, ema, step + 1, curve, evals, time.time() - t_start)


def fine_tune_result(ema, base, curve, evals, seconds, tok, **extra):
    """A fine-tuning stage's output: EMA weights, the curves and evaluations of every stage so far, and its time."""
    return {"text": ema.shadow[0].state_dict(), "den": ema.shadow[1].state_dict(),
            "curve": base["curve"] + curve, "evals": base["evals"] + evals,
            "seconds": base["seconds"] + seconds, "vocab": len(tok.words), **extra}


def begin_fine_tune(args, data, tok, base, fast, slow, fast_lr, slow_lr, ckpt, modules, name, seed):
    """The shared start of a fine-tuning stage: an optimiser whose fast group (new or language parts) learns at
    fast_lr while the base model only adapts at slow_lr, the EMA, the resumed checkpoint, batches, clock and running
    losses. Returns (params, opt, ema, batches, start, curve, evals, base_steps, t_start, running)."""
    params = fast + slow
    opt = torch.optim.AdamW([{"params": fast, "base_lr": fast_lr}, {"params": slow, "base_lr": slow_lr}],
                            lr=slow_lr, weight_decay=0.01)
    ema = Ema([modules["text"], modules["den"]], 0.998)
    start, curve, evals, elapsed = resume_stage(ckpt, modules, opt, ema, name)
    base_steps = base["curve"][-1][0] if base["curve"] else 0
    batches = TrainingBatches(data, tok, args.batch, seed + start)
    t_start = time.time() - elapsed
    label = name.replace("stage", "step ")
    return params, opt, ema, batches, start, curve, evals, base_steps, t_start, RunningLosses(label, curve, base_steps, t_start)


def fine_tune_start(tok, base, seed):
    """A fine-tuning stage's text encoder and denoiser, loaded from the stage before; the seed fixes the new
    modules' draws whether or not the earlier stages ran in this process."""
    torch.manual_seed(seed)
    text = nets.TextEncoder(len(tok.words))
    den = nets.denoiser_for(base["den"])
    text.load_state_dict(base["text"])
    nets.load_denoiser(den, base["den"])
    return text, den


def train_denoiser(args, data, tok, vae, work):
    """Base stage: text encoder and denoiser from scratch on the flow-matching loss (co-moving frame off), with
    spatial attention over one key per column of each frame."""
    ckpt = os.path.join(work, "denoiser.pt")
    final = os.path.join(work, "denoiser_final.pt")
    if os.path.exists(final):
        return torch.load(final)
    text = nets.TextEncoder(len(tok.words))
    den = nets.Denoiser(spatial_attention=True, spatial_pool=0)
    later = {id(p) for p in nets.frame_parameters(den)}
    params = list(text.parameters()) + [p for p in den.parameters() if id(p) not in later]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    ema = Ema([text, den], 0.999 if args.den_steps > 2000 else 0.9)
    modules = {"text": text, "den": den}
    start, curve, evals, elapsed = resume_stage(ckpt, modules, opt, ema, "denoiser")
    batches = TrainingBatches(data, tok, args.batch, 3 + start)
    t_start = time.time() - elapsed
    running = RunningLosses("denoiser step ", curve, 0, t_start)
    for step in range(start, args.den_steps):
        lr = warmup_cosine(args.lr, step, args.den_steps)
        for g in opt.param_groups:
            g["lr"] = lr
        x0, xt, noise, t, tok_ids, mask, strides, _ = batches.next(sample_timesteps, random_context_mask)
        with mixed_precision(args):
            v = den(xt, t, text(tok_ids), x0, mask, strides).float()
        weight = base_loss_weight(x0)
        loss = (weight * (v - (noise - x0)) ** 2).mean() / weight.mean()
        optimise(opt, params, ema, loss)
        running.add(step, lr, loss=loss.item())
        evaluate_and_save(args, step, args.den_steps, 0, "", ckpt, modules, opt, ema, vae, tok, curve, evals, t_start)
    out = {"text": ema.shadow[0].state_dict(), "den": ema.shadow[1].state_dict(), "curve": curve, "evals": evals,
           "seconds": time.time() - t_start, "vocab": len(tok.words)}
    torch.save(out, final)
    return out


def speed_loss(den, states, strides, velocity):
    """Regression of the co-moving frame's speed on the clips' true sideways speed, in units of 0.1 cell per frame
    (about a stride-1 speed)."""
    predicted = den.frame.velocity(nets.motion_conditioning(states, strides))[:, 0]
    return (((predicted - velocity) / 0.1) ** 2).mean()


def train_frame(args, data, tok, vae, work, base):
    """Co-moving frame stage: fine-tunes the base model to denoise in the frame of reference of a subject moving the
    way the prompt says (`nets.CoMovingFrame`), with the frame's speed head regressed on the clips' true speed."""
    ckpt = os.path.join(work, "frame.pt")
    final = os.path.join(work, "frame_final.pt")
    if os.path.exists(final):
        return torch.load(final)
    text, den = fine_tune_start(tok, base, 1005)
    den.use_frame = True
    # the new speed head learns fast; the words it reads and the denoiser only adapt (a fast text encoder, pulled by
    # the speed regression, lost some backgrounds)
    fast = list(den.frame.parameters())
    slow = list(text.parameters()) + [p for n, p in den.named_parameters() if not n.startswith("frame.")]
    modules = {"text": text, "den": den}
    params, opt, ema, batches, start, curve, evals, base_steps, t_start, running = begin_fine_tune(
        args, data, tok, base, fast, slow, args.frame_fast_lr, args.frame_lr, ckpt, modules, "frame stage", 1005)
    for step in range(start, args.frame_steps):
        for g in opt.param_groups:
            g["lr"] = warmup_cosine(g["base_lr"], step, args.frame_steps, warmup=100)
        x0, xt, noise, t, tok_ids, mask, strides, velocity = batches.next(sample_timesteps, random_context_mask)
        with mixed_precision(args):
            states = text(tok_ids)
            v = den(xt, t, states, x0, mask, strides).float()
        weight = base_loss_weight(x0)
        flow = (weight * (v - (noise - x0)) ** 2).mean() / weight.mean()
        speed = speed_loss(den, states.float(), strides, velocity)
        optimise(opt, params, ema, flow + args.frame_speed_weight * speed)
        running.add(step, opt.param_groups[1]["lr"], loss=flow.item(), speed=speed.item())
        evaluate_and_save(args, step, args.frame_steps, base_steps, "frame step ", ckpt, modules, opt, ema, vae, tok,
                          curve, evals, t_start)
    seconds = time.time() - t_start
    out = fine_tune_result(ema, base, curve, evals, seconds, tok, frame=True, frame_seconds=seconds)
    torch.save(out, final)
    return out


# ---------------------------------------------------------------- stage 5: the first-frame model
def first_frame_specs(args, tok):
    """The first-frame set's images, in order: (scene, start time, three tokenised prompts). A shot that starts
    "after coming out of the spaceship" opens with the subject at the door; other shots at any time."""
    rng = random.Random(7)
    for _ in range(args.first_frame_images):
        scene = world.random_scene(rng)
        if scene.motion == "walk":
            # a side the prompt leaves open opens facing right: one layout per prompt (ship on the left, subject at
            # its door) instead of two mirror images, which the model would otherwise lay out both at once
            scene.direction = 1
            if scene.from_ship:
                scene.ship_x = scene.x0 = rng.uniform(12, 20)
        t0 = 0.0 if scene.from_ship else rng.uniform(0, 200)
        yield scene, t0, [tok.encode(world.prompt_for(scene, rng)) for _ in range(3)]


def build_first_frames(args, vae, tok, path):
    """Opening frames of random shots, encoded once: (N, C, 8, 8) latents and three prompts each."""
    if os.path.exists(path):
        return dict(np.load(path))
    enc = nets.VaeEncoder()
    enc.load_state_dict(vae["enc"])
    enc.eval()
    frames, ids = [], []
    for scene, t0, prompt_ids in first_frame_specs(args, tok):
        frames.append(world.render_frame(scene, t0))
        ids.append(prompt_ids)
    lat = []
    with torch.no_grad():
        for i in range(0, len(frames), 256):
            lat.append((enc(to_unit(np.stack(frames[i:i + 256]))) * vae["scaling"]).numpy().astype(np.float16))
    data = {"latents": np.concatenate(lat), "ids": np.array(ids, np.int64)}
    np.savez(path, **data)
    return data


def first_frame_model(state):
    return nets.first_frame_denoiser(state["model"]).eval()


def train_first_frame(args, tok, vae, den, work):
    """First-frame stage: fine-tunes a copy of the base denoiser, with full spatial attention, on shots' opening
    frames (`nets.FirstFrameDenoiser`), on the final text encoder's states (frozen: the exported text encoder serves
    both models). Flow matching as the base stage, one frame per sample, so attention over all 64 cells is affordable."""
    final = os.path.join(work, "first_frame_final.pt")
    if os.path.exists(final):
        return torch.load(final)
    ckpt = os.path.join(work, "first_frame.pt")
    data = build_first_frames(args, vae, tok, os.path.join(work, "first_frames.npz"))
    lat = torch.from_numpy(data["latents"].astype(np.float32))
    ids = torch.from_numpy(data["ids"])
    text = nets.TextEncoder(len(tok.words))
    text.load_state_dict(den["text"])
    text.eval().requires_grad_(False)
    torch.manual_seed(1007)
    base = torch.load(os.path.join(work, "denoiser_final.pt"))
    model = nets.first_frame_denoiser(base["den"])
    opt = torch.optim.AdamW(model.parameters(), lr=args.first_frame_lr, weight_decay=0.01)
    shadow = copy.deepcopy(model).eval()
    start, curve, elapsed = 0, [], 0.0
    if os.path.exists(ckpt):
        st = torch.load(ckpt)
        model.load_state_dict(st["model"])
        shadow.load_state_dict(st["ema"])
        opt.load_state_dict(st["opt"])
        start, curve, elapsed = st["step"], st["curve"], st["elapsed"]
        log(f"resumed first-frame stage at step {start}")
    draws = torch.Generator().manual_seed(1008 + start)
    empty = torch.tensor([tok.encode("")])
    t_start = time.time() - elapsed
    running = RunningLosses("first-frame step ", curve, 0, t_start)
    b = args.first_frame_batch
    for step in range(start, args.first_frame_steps):
        lr = warmup_cosine(args.first_frame_lr, step, args.first_frame_steps)
        for g in opt.param_groups:
            g["lr"] = lr
        idx = torch.randint(0, lat.shape[0], (b,), generator=draws)
        x0 = lat[idx]
        tok_ids = ids[idx, torch.randint(0, 3, (b,), generator=draws)]
        drop = torch.rand(b, generator=draws) < 0.1
        tok_ids = torch.where(drop[:, None], empty.expand(b, -1), tok_ids)
        t = sample_timesteps(b)
        noise = torch.randn(x0.shape, generator=draws)
        xt = (1 - t[:, None, None, None]) * x0 + t[:, None, None, None] * noise
        with torch.no_grad():
            states = text(tok_ids)
        with mixed_precision(args):
            v = model(xt, t, states).float()
        weight = base_loss_weight(x0[:, :, None])[:, :, 0]
        loss = (weight * (v - (noise - x0)) ** 2).mean() / weight.mean()
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            for ps, pm in zip(shadow.parameters(), model.parameters()):
                ps.mul_(0.999).add_(pm.detach(), alpha=0.001)
        running.add(step, lr, loss=loss.item())
        if (step + 1) % args.ckpt_every == 0:
            torch.save({"model": model.state_dict(), "ema": shadow.state_dict(), "opt": opt.state_dict(),
                        "step": step + 1, "curve": curve, "elapsed": time.time() - t_start}, ckpt)
    out = {"model": shadow.den.state_dict(), "curve": curve, "seconds": time.time() - t_start}
    torch.save(out, final)
    return out


# ---------------------------------------------------------------- sampling (PyTorch side, for curves)
def shifted(t, shift):
    return shift * t / (1 + (shift - 1) * t)


@torch.no_grad()
def sample(text, den, tok, prompts, frames, steps, guidance, shift, seed, stride=1.0):
    b = len(prompts)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(b, nets.LATENT_CHANNELS, frames, 8, 8, generator=g)
    cond = text(torch.tensor([tok.encode(p) for p in prompts]))
    unc = text(torch.tensor([tok.encode("")] * b))
    states = torch.cat([unc, cond])
    ctx = torch.zeros(2 * b, nets.LATENT_CHANNELS, frames, 8, 8)
    mask = torch.zeros(2 * b, frames)
    st = torch.full((2 * b,), float(stride))
    ts = [shifted(1 - i / steps, shift) for i in range(steps + 1)]
    for i in range(steps):
        v = den(torch.cat([x, x]), torch.full((2 * b,), ts[i]), states, ctx, mask, st)
        vu, vc = v[:b], v[b:]
        x = x + (ts[i + 1] - ts[i]) * (vu + guidance * (vc - vu))
    return x


@torch.no_grad()
def decode(vae, z):
    dec = nets.vae_decoder(vae)
    b, c, t = z.shape[:3]
    frames = dec(z.permute(0, 2, 1, 3, 4).reshape(b * t, c, 8, 8) / vae["scaling"])
    return to_u8(frames).reshape(b, t, 64, 64, 3)


def quick_eval(text, den, vae, tok, count, steps=12, guidance=4.0, shift=2.0):
    pairs = world.evaluation_prompts(count, seed=77)
    z = sample(text, den, tok, [p for _, p in pairs], 16, steps, guidance, shift, seed=5)
    clips = decode(vae, z)
    return quality.score([s for s, _ in pairs], clips)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="runs/full")
    ap.add_argument("--out", default="../../models/moonwalk-tiny")
    ap.add_argument("--vae-steps", type=int, default=3000)
    ap.add_argument("--vae-batch", type=int, default=48)
    ap.add_argument("--decoder-steps", type=int, default=3000,
                    help="steps of stage 1b, a wider decoder on the frozen encoder (0 skips it)")
    ap.add_argument("--decoder-width", type=int, default=192, help="stage 1b: the decoder's channels at 8x8")
    ap.add_argument("--decoder-layers", type=int, default=3, help="stage 1b: the decoder's convs per resolution")
    ap.add_argument("--clips", type=int, default=6000)
    ap.add_argument("--clip-frames", type=int, default=32)
    ap.add_argument("--den-steps", type=int, default=11000)
    ap.add_argument("--frame-steps", type=int, default=2000,
                    help="steps of the co-moving frame stage (0 skips it, and the export is not routed)")
    ap.add_argument("--frame-lr", type=float, default=3e-4, help="co-moving frame stage: learning rate of the denoiser")
    ap.add_argument("--frame-fast-lr", type=float, default=1e-3,
                    help="co-moving frame stage: learning rate of the speed head")
    ap.add_argument("--frame-speed-weight", type=float, default=0.03,
                    help="co-moving frame stage: weight of the speed head's regression")
    ap.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=None,
                    help="bfloat16 autocast in the training steps of the decoder and denoiser stages (the recipe's "
                         "setting); default: on where the CPU has AVX-512 BF16 or AMX BF16, off elsewhere, where "
                         "bfloat16 is many times slower than float32")
    ap.add_argument("--first-frame-steps", type=int, default=3000,
                    help="first-frame stage: steps of the first-frame model (0 = no first-frame model)")
    ap.add_argument("--first-frame-images", type=int, default=24000, help="first-frame stage: opening frames encoded")
    ap.add_argument("--first-frame-batch", type=int, default=64)
    ap.add_argument("--first-frame-lr", type=float, default=3e-4)
    ap.add_argument("--first-frame-guidance", type=float, default=4.0,
                    help="export: the first-frame model's guidance scale (guidance.firstFrame in the manifest)")
    ap.add_argument("--multi-window-guidance", type=float, default=2.0,
                    help="export: guidance of the keyframe pass and of unanchored passes of several windows (guidance.multiWindow)")
    ap.add_argument("--route-speed", type=float, default=0.05,
                    help="export: speed (latent cells per frame at stride 1) above which a prompt takes the frame stage")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--eval-every", type=int, default=1000)
    ap.add_argument("--eval-prompts", type=int, default=16)
    ap.add_argument("--ckpt-every", type=int, default=250)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--eval-out", default="eval", help="where the evaluation set for `farm eval-model` goes")
    ap.add_argument("--curves", default="training-curves.png")
    ap.add_argument("--smoke", action="store_true", help="a few steps of every stage, for CI")
    args = ap.parse_args()
    if args.bf16 is None:
        args.bf16 = cpu_has_bf16()
    if args.smoke:
        args.vae_steps, args.vae_batch, args.clips, args.clip_frames = 30, 8, 24, 16
        args.den_steps, args.eval_every, args.eval_prompts, args.ckpt_every = 30, 30, 4, 15
        args.frame_steps, args.decoder_steps = 20, 10
        args.first_frame_steps, args.first_frame_images = 20, 64
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    os.makedirs(args.work, exist_ok=True)
    t0 = time.time()
    tok = Tokenizer(world.vocabulary())
    vae = train_vae(args, os.path.join(args.work, "vae.pt"))
    vae = train_decoder(args, vae, os.path.join(args.work, "decoder.pt"))
    data = build_latents(args, vae, tok, os.path.join(args.work, "latents.npz"))
    den = train_denoiser(args, data, tok, vae, args.work)
    base = den
    if args.frame_steps > 0:
        den = train_frame(args, data, tok, vae, args.work, den)
    first_frame = train_first_frame(args, tok, vae, den, args.work) if args.first_frame_steps > 0 else None
    export.export_all(vae, den, tok, args.out, args.work, first_frame, base, args.route_speed,
                      args.first_frame_guidance, args.multi_window_guidance)
    make_eval_set.build(vae, args.eval_out)
    plot_curves.plot(os.path.join(args.work, "training.json"), args.curves)
    log(f"all stages done in {time.time() - t0:.0f}s this run")


if __name__ == "__main__":
    main()
