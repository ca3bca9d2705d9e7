"""The three networks of moonwalk-tiny: per-frame VAE, word-level text encoder, spatio-temporal denoiser.

Only plain ops (conv, matmul, softmax, group norm) so the ONNX export is exact and portable.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

LATENT_CHANNELS = 8
MAX_TOKENS = 16
TEXT_DIM = 64


class VaeEncoder(nn.Module):
    """64x64x3 frame in [-1,1] -> 8x8xC latent (deterministic; noise is added in training for robustness).

    Space-to-depth first: the world is flat colours, and convolutions at full resolution cost too much on CPU.
    """

    def __init__(self, c=LATENT_CHANNELS):
        super().__init__()
        self.net = nn.Sequential(
            nn.PixelUnshuffle(4),
            nn.Conv2d(48, 96, 3, padding=1), nn.SiLU(),
            nn.Conv2d(96, 96, 3, padding=1), nn.SiLU(),
            nn.Conv2d(96, 128, 4, stride=2, padding=1), nn.SiLU(),
            nn.Conv2d(128, c, 3, padding=1))

    def forward(self, x):
        return self.net(x)


class VaeDecoder(nn.Module):
    """8x8xC latent -> 64x64x3 frame in [-1,1], upsampled by depth-to-space."""

    def __init__(self, c=LATENT_CHANNELS, width=128, layers=2):
        super().__init__()
        # the defaults are the VAE's own decoder; stage 1b trains a wider, deeper one (width 192, 3 layers)
        low = [nn.Conv2d(c, width, 3, padding=1), nn.SiLU()]
        high = [nn.Conv2d(width // 4, 96, 3, padding=1), nn.SiLU()]
        for _ in range(layers - 1):
            low += [nn.Conv2d(width, width, 3, padding=1), nn.SiLU()]
            high += [nn.Conv2d(96, 96, 3, padding=1), nn.SiLU()]
        self.net = nn.Sequential(*low, nn.PixelShuffle(2), *high, nn.Conv2d(96, 48, 3, padding=1), nn.PixelShuffle(4))

    def forward(self, z):
        return torch.tanh(self.net(z))


def vae_decoder(vae):
    """The decoder of a saved VAE state, shaped as it was trained (the VAE's own, or the wider one of stage 1b)."""
    dec = VaeDecoder(**vae.get("decoder", {}))
    dec.load_state_dict(vae["dec"])
    return dec


class TextEncoder(nn.Module):
    """Token ids (B, L) -> text states (B, L, D): embeddings, learned positions, two attention blocks."""

    def __init__(self, vocab_size, dim=TEXT_DIM, layers=2, heads=4):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim)
        self.pos = nn.Parameter(torch.zeros(1, MAX_TOKENS, dim))
        self.blocks = nn.ModuleList([AttentionBlock(dim, heads) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, ids):
        pad = (ids == 0).float()  # pad id 0 is masked out of attention keys
        x = self.embed(ids) + self.pos[:, : ids.shape[1]]
        for b in self.blocks:
            x = b(x, pad)
        return self.norm(x) * (1.0 - pad).unsqueeze(-1)


class AttentionBlock(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x, pad):
        b, n, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.norm1(x)).reshape(b, n, 3, h, d // h).permute(2, 0, 3, 1, 4)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d // h)
        att = att - 1e4 * pad[:, None, None, :]
        y = torch.matmul(torch.softmax(att, dim=-1), v).permute(0, 2, 1, 3).reshape(b, n, d)
        x = x + self.proj(y)
        return x + self.mlp(self.norm2(x))


def sinusoid(x, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = x[:, None] * freqs[None, :]
    return torch.cat([torch.sin(a), torch.cos(a)], dim=1)


class GroupNorm32(nn.GroupNorm):
    """Group norm computed in float32: under bfloat16 autocast (`train.py --bf16`) the convolutions hand it bfloat16,
    which PyTorch 1.13's CPU group norm refuses next to float32 weights. Float32 input passes untouched (no Cast in
    the export)."""

    def forward(self, x):
        return super().forward(x if x.dtype == torch.float32 else x.float())


class ResBlock(nn.Module):
    """3x3x3 spatio-temporal conv, FiLM from the conditioning vector, dilated temporal conv.

    The first conv sees neighbouring frames and positions together, so it can detect and continue motion in one
    direction; (2+1)D blocks alone left direction to chance. No absolute time positions."""

    def __init__(self, ch, cond_dim, dilation):
        super().__init__()
        self.norm1 = GroupNorm32(8, ch)
        self.spatial = nn.Conv3d(ch, ch, (3, 3, 3), padding=(1, 1, 1))
        self.film = nn.Linear(cond_dim, 2 * ch)
        self.norm2 = GroupNorm32(8, ch)
        self.temporal = nn.Conv3d(ch, ch, (3, 1, 1), padding=(dilation, 0, 0), dilation=(dilation, 1, 1))
        nn.init.zeros_(self.temporal.weight)
        nn.init.zeros_(self.temporal.bias)

    def forward(self, x, cond):
        h = self.spatial(F.silu(self.norm1(x)))
        scale, shift = self.film(cond)[:, :, None, None, None].chunk(2, dim=1)
        h = h * (1 + scale) + shift
        h = self.temporal(F.silu(self.norm2(h)))
        return x + h


class TemporalAttention(nn.Module):
    """Self-attention across the frames of each latent position: ties a subject's look and path together over the
    whole window. No positional encoding (the convolutions give order), so windows stay position-free."""

    def __init__(self, ch, heads=4):
        super().__init__()
        self.heads = heads
        self.norm = GroupNorm32(8, ch)
        self.qkv = nn.Conv3d(ch, 3 * ch, 1)
        self.proj = nn.Conv3d(ch, ch, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x):
        return x + self.delta(x)

    def delta(self, x):
        """What the attention adds to x."""
        b, c, t, h, w = x.shape
        hd = c // self.heads
        qkv = self.qkv(self.norm(x)).reshape(b, 3, self.heads, hd, t, h * w)
        q, k, v = qkv[:, 0], qkv[:, 1], qkv[:, 2]  # (b, heads, hd, t, hw)
        q = q.permute(0, 1, 4, 2, 3)  # (b, heads, hw, t, hd) after transpose below
        q = q.transpose(-1, -2)
        k = k.permute(0, 1, 4, 2, 3)  # (b, heads, hw, hd, t)
        v = v.permute(0, 1, 4, 3, 2)  # (b, heads, hw, t, hd)
        att = torch.softmax(torch.matmul(q, k) / math.sqrt(hd), dim=-1)  # (b, heads, hw, t, t)
        y = torch.matmul(att, v)  # (b, heads, hw, t, hd)
        y = y.permute(0, 1, 4, 3, 2).reshape(b, c, t, h, w)
        return self.proj(y)


class SpatialAttention(nn.Module):
    """Self-attention across the 64 cells of each frame: lets every place see the whole frame, so the denoiser can
    settle on one subject instead of growing one wherever guidance pushes (3 x 3 convolutions only see neighbours).
    Positions are learnt per row only: the world is horizontally uniform, and the co-moving frame rolls columns.
    With `pool` > 1 the keys and values are averaged over pool x pool cells (16 instead of 64 at pool 2), which
    makes it cheap enough for the base stage's CPU budget; `pool` = 0 averages each column over all rows (8 keys),
    which every whole-cell roll of the co-moving frame permutes exactly (2 x 2 groups change under odd rolls).
    The factor is kept as a buffer so saved states carry it."""

    def __init__(self, ch, rows=8, heads=4, pool=1):
        super().__init__()
        self.heads = heads
        self.norm = GroupNorm32(8, ch)
        self.row_position = nn.Parameter(torch.zeros(1, ch, 1, rows, 1))
        self.qkv = nn.Conv3d(ch, 3 * ch, 1)
        self.proj = nn.Conv3d(ch, ch, 1)
        self.register_buffer("pool", torch.tensor(pool))
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x):
        b, c, t, h, w = x.shape
        hd = c // self.heads
        q, k, v = self.qkv(self.norm(x) + self.row_position).chunk(3, dim=1)
        pool = int(self.pool)
        if pool == 0:
            k, v = k.mean(dim=3, keepdim=True), v.mean(dim=3, keepdim=True)
        elif pool > 1:
            k, v = F.avg_pool3d(k, (1, pool, pool)), F.avg_pool3d(v, (1, pool, pool))
        q, k, v = [a.reshape(b, self.heads, hd, t, -1).permute(0, 1, 3, 4, 2) for a in (q, k, v)]  # (b, heads, t, n, hd)
        att = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd), dim=-1)
        y = torch.matmul(att, v).permute(0, 1, 4, 2, 3).reshape(b, c, t, h, w)
        return x + self.proj(y)


MOTION_DIM = TEXT_DIM + 32


def apply_width_kernel(x, kernel):
    """Mixes the columns of every frame of x (B, C, T, H, W) by a per-clip, per-frame (B, T, W, W) matrix."""
    b, c, t, h, w = x.shape
    y = torch.matmul(x.permute(0, 2, 1, 3, 4).reshape(b, t, c * h, w), kernel.transpose(2, 3))
    return y.reshape(b, t, c, h, w).permute(0, 2, 1, 3, 4)


def frame_offsets(x):
    """(B, 1, T, 1, 1): each frame's index minus the window's centre, built from x so the frame count stays
    dynamic in the export; relative to the centre, so windows stay position-free."""
    ones = x[:, :1, :, :1, :1] * 0 + 1
    return torch.cumsum(ones, dim=2) - 1 - (ones.sum(dim=2, keepdim=True) - 1) * 0.5


def motion_conditioning(text_states, frame_stride):
    """What the co-moving speed is chosen from: the pooled text and the frame stride (not the timestep)."""
    return torch.cat([text_states.mean(dim=1), sinusoid(torch.log2(frame_stride) * 100.0, 32)], dim=1)


class CoMovingFrame(nn.Module):
    """Runs the denoiser in the frame of reference of a subject that moves the way the prompt says.

    A speed head on the pooled text and the frame stride (trained by regression towards the clips' true sideways
    speed) gives the velocity; each frame of the sample and the context is rolled sideways by that velocity times its
    offset from the window's centre, rounded to whole latent cells, and the prediction is rolled back. The world is
    horizontally uniform but for its subjects, so in that frame a subject asked to go right or left stands nearly
    still and the network only has to keep it in place: the prompt, not the noise, decides which way it goes.
    Whole-cell rolls are exact permutations (no interpolation blur, Gaussian noise stays Gaussian) and a zero speed
    is exactly the identity, so standing, bouncing and direction-less prompts are untouched."""

    def __init__(self, max_speed=2.0):
        super().__init__()
        self.speed = nn.Sequential(nn.Linear(MOTION_DIM, 64), nn.SiLU(), nn.Linear(64, 1))
        self.max_speed = max_speed

    def velocity(self, motion):
        """(B, 1): sideways speed in latent cells per frame (positive: to the right)."""
        return self.max_speed * torch.tanh(self.speed(motion))

    def shifts(self, motion, x):
        """(B, T, 1, 1): whole-cell roll of each frame."""
        return torch.round(self.velocity(motion)[:, :, None, None, None] * frame_offsets(x))[:, 0]

    @staticmethod
    def roll_kernel(shifts, width, sign):
        """(B, T, W, W) permutation: row u takes column (u + sign * shift) modulo the width."""
        pos = torch.arange(width, dtype=torch.float32)
        dist = pos[None, None, None, :] - pos[None, None, :, None] - sign * shifts  # [b, t, u, j] = j - u - s
        # a sum of tent functions one width apart: exactly one-hot for whole-cell shifts up to 6 widths
        return sum(F.relu(1.0 - (dist + k * width).abs()) for k in range(-6, 7))

    def enter(self, x, shifts):
        return apply_width_kernel(x, self.roll_kernel(shifts, x.shape[4], 1.0))

    def leave(self, x, shifts):
        return apply_width_kernel(x, self.roll_kernel(shifts, x.shape[4], -1.0))


def frame_parameters(module):
    """The co-moving frame's parameters (its speed head), which the base stage leaves untrained."""
    return [p for n, p in module.named_parameters() if n.startswith("frame.")]


def skip_initial_draws(ch, count):
    """Advances the random state by what `count` temporal attention layers of `ch` channels and speed heads draw at
    construction (see `Denoiser`)."""
    for _ in range(count):
        TemporalAttention(ch)
        nn.Sequential(nn.Linear(MOTION_DIM, 64), nn.SiLU(), nn.Linear(64, 1))


class Denoiser(nn.Module):
    """Velocity prediction over a latent window (B, C, T, 8, 8) with text, timestep, stride and context."""

    def __init__(self, c=LATENT_CHANNELS, ch=48, cond_dim=128, dilations=(1, 2, 4, 1, 2, 4), attention_after=(2, 5),
                 spatial_attention=False, spatial_pool=1):
        super().__init__()
        self.inp = nn.Conv3d(2 * c + 1, ch, (1, 3, 3), padding=(0, 1, 1))
        self.text_proj = nn.Linear(TEXT_DIM, cond_dim)
        self.cond = nn.Sequential(nn.Linear(cond_dim * 3, cond_dim), nn.SiLU(), nn.Linear(cond_dim, cond_dim))
        self.cond_dim = cond_dim
        self.blocks = nn.ModuleList([ResBlock(ch, cond_dim, d) for d in dilations])
        self.attention_after = tuple(attention_after)
        self.attention = nn.ModuleList([TemporalAttention(ch) for _ in attention_after])
        self.spatial = nn.ModuleList([SpatialAttention(ch, pool=spatial_pool) for _ in attention_after]) if spatial_attention else None
        self.out_norm = GroupNorm32(8, ch)
        self.out = nn.Conv3d(ch, c, (1, 3, 3), padding=(0, 1, 1))
        # the co-moving frame's speed head is drawn from a forked random state, so constructing it leaves the global
        # state (the base weights and everything drawn after them) untouched; the first draws of that forked state
        # are skipped, where the recipe that made models/moonwalk-tiny spent them, so the recipe reproduces it
        with torch.random.fork_rng():
            skip_initial_draws(ch, len(attention_after))
            self.frame = CoMovingFrame()
        self.use_frame = False

    def conditioning(self, timestep, text_states, frame_stride):
        """The vector every block is conditioned on: timestep, frame stride and pooled text."""
        # padded text positions are exact zeros; mean over the fixed token count keeps the export simple
        text = self.text_proj(text_states.mean(dim=1))
        cond = torch.cat([sinusoid(timestep * 1000.0, self.cond_dim),
                          sinusoid(torch.log2(frame_stride) * 100.0, self.cond_dim), text], dim=1)
        return self.cond(cond)

    def forward(self, sample, timestep, text_states, context, context_mask, frame_stride):
        if self.use_frame:
            shifts = self.frame.shifts(motion_conditioning(text_states, frame_stride), sample)
            sample, context = self.frame.enter(sample, shifts), self.frame.enter(context, shifts)
        m = context_mask[:, None, :, None, None]
        x = self.inp(torch.cat([sample, context * m, m.expand(-1, 1, -1, sample.shape[3], sample.shape[4])], 1))
        cond = self.conditioning(timestep, text_states, frame_stride)
        for i, b in enumerate(self.blocks):
            x = b(x, cond)
            if i in self.attention_after:
                a = self.attention_after.index(i)
                x = self.attention[a](x)
                if self.spatial is not None:
                    x = self.spatial[a](x)
        out = self.out(F.silu(self.out_norm(x)))
        return self.frame.leave(out, shifts) if self.use_frame else out


def denoiser_for(state):
    """A denoiser shaped like a saved state: with spatial attention if the state has it."""
    pool = next((int(v) for k, v in state.items() if k.startswith("spatial.") and k.endswith(".pool")), 1)
    return Denoiser(spatial_attention=any(k.startswith("spatial.") for k in state), spatial_pool=pool)


def text_and_denoiser(state):
    """The text encoder and denoiser of a stage's saved output, switched as that stage trained them."""
    text = TextEncoder(state["vocab"])
    text.load_state_dict(state["text"])
    den = denoiser_for(state["den"])
    load_denoiser(den, state["den"])
    den.use_frame = bool(state.get("frame", False))
    return text, den


def load_denoiser(den, state):
    """Loads denoiser weights. A state may lack the co-moving frame (it is off until its stage) and the spatial
    attention's pool factor (the first-frame model sets its own)."""
    missing, unexpected = den.load_state_dict(state, strict=False)
    if unexpected or any(not k.startswith(("frame.", "spatial.")) for k in missing):
        raise RuntimeError(f"denoiser state does not fit: missing {missing}, unexpected {unexpected}")



class FirstFrameDenoiser(nn.Module):
    """Velocity prediction for one latent frame (B, C, 8, 8) from timestep and text: the opening frame of a shot.

    The video denoiser's network run on one-frame windows (no context, stride 1), started from the base stage's
    weights, with spatial attention over every cell of the frame (64 keys), so the whole frame is laid out at once
    (one ship, one subject); the video denoiser, which from pure noise may grow a second ship or subject, then
    continues from that frame as clean context."""

    def __init__(self, den):
        super().__init__()
        self.den = den

    def forward(self, sample, timestep, text_states):
        x = sample[:, :, None]
        b = sample.shape[0]
        mask = torch.zeros(b, 1)
        return self.den(x, timestep, text_states, torch.zeros_like(x), mask, torch.ones(b))[:, :, 0]


def first_frame_denoiser(den_state):
    """A first-frame model shaped like (and, for a base stage's state, started from) a video denoiser's weights, with
    its spatial attention looking at all 64 cells."""
    den = Denoiser(spatial_attention=True, spatial_pool=1)
    load_denoiser(den, {k: v for k, v in den_state.items() if not k.endswith(".pool")})
    den.use_frame = False
    return FirstFrameDenoiser(den)


class PairedTextEncoder(nn.Module):
    """The base stage's and the co-moving frame stage's text encoders side by side: (B, L, 2 D) text states, the
    first half read by the base denoiser, the second by the frame stage's (`RoutedDenoiser`)."""

    def __init__(self, base, frame):
        super().__init__()
        self.base = base
        self.frame = frame

    def forward(self, ids):
        return torch.cat([self.base(ids), self.frame(ids)], dim=2)


class RoutedDenoiser(nn.Module):
    """Routes each guidance pair to the base denoiser or to the co-moving frame stage's, by the prompt.

    The frame stage is what makes "left" and "right" work, but it trains on clips rolled sideways, in which the ship,
    stars and craters move; it continues a given frame less faithfully (a second ship appears). So only prompts whose
    subject goes sideways (the frame stage's speed head, at stride 1, above `threshold` cells per frame) take it, and
    every other prompt takes the base denoiser, which the frame stage would otherwise have overwritten. Both rows of a
    guidance pair are routed by the conditional prompt (`guidance_text_states`), so guidance never mixes the two.
    A window given a frame after a free one (keyframes to interpolate between, not a prefix to continue) takes the
    base denoiser whatever its prompt: the given frames already say where the subject goes, the base denoiser moves
    it there smoothly, and the frame stage's whole-cell rolls would make it jump a cell at a time."""

    def __init__(self, base, frame, threshold):
        super().__init__()
        self.base = base
        self.frame = frame
        self.threshold = threshold

    def sideways(self, guidance_text_states):
        """(B,) 1 for rows whose pair's prompt moves its subject sideways, else 0."""
        frame_states = guidance_text_states[:, :, TEXT_DIM:]
        stride_one = torch.ones(frame_states.shape[0])
        speed = self.frame.frame.velocity(motion_conditioning(frame_states, stride_one))[:, 0]
        return (speed.abs() > self.threshold).float()

    @staticmethod
    def interpolating(context_mask):
        """(B,) 1 for rows with a given frame after a free one."""
        free_before = torch.cumsum(1.0 - context_mask, dim=1)
        return (context_mask * (free_before > 0).float()).amax(dim=1)

    def route(self, guidance_text_states, context_mask):
        """(B,) 1 for rows the frame stage denoises."""
        return self.sideways(guidance_text_states) * (1.0 - self.interpolating(context_mask))

    def forward(self, sample, timestep, text_states, context, context_mask, frame_stride, guidance_text_states):
        route = self.route(guidance_text_states, context_mask)[:, None, None, None, None]
        base = self.base(sample, timestep, text_states[:, :, :TEXT_DIM], context, context_mask, frame_stride)
        frame = self.frame(sample, timestep, text_states[:, :, TEXT_DIM:], context, context_mask, frame_stride)
        return route * frame + (1.0 - route) * base
