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

    def __init__(self, c=LATENT_CHANNELS):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(c, 128, 3, padding=1), nn.SiLU(),
            nn.Conv2d(128, 128, 3, padding=1), nn.SiLU(),
            nn.PixelShuffle(2),
            nn.Conv2d(32, 96, 3, padding=1), nn.SiLU(),
            nn.Conv2d(96, 96, 3, padding=1), nn.SiLU(),
            nn.Conv2d(96, 48, 3, padding=1),
            nn.PixelShuffle(4))

    def forward(self, z):
        return torch.tanh(self.net(z))


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


class ResBlock(nn.Module):
    """3x3x3 spatio-temporal conv, FiLM from the conditioning vector, dilated temporal conv.

    The first conv sees neighbouring frames and positions together, so it can detect and continue motion in one
    direction; (2+1)D blocks alone left direction to chance. No absolute time positions."""

    def __init__(self, ch, cond_dim, dilation):
        super().__init__()
        self.norm1 = nn.GroupNorm(8, ch)
        self.spatial = nn.Conv3d(ch, ch, (3, 3, 3), padding=(1, 1, 1))
        self.film = nn.Linear(cond_dim, 2 * ch)
        self.norm2 = nn.GroupNorm(8, ch)
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
        self.norm = nn.GroupNorm(8, ch)
        self.qkv = nn.Conv3d(ch, 3 * ch, 1)
        self.proj = nn.Conv3d(ch, ch, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x):
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
        return x + self.proj(y)


class Denoiser(nn.Module):
    """Velocity prediction over a latent window (B, C, T, 8, 8) with text, timestep, stride and context."""

    def __init__(self, c=LATENT_CHANNELS, ch=48, cond_dim=128, dilations=(1, 2, 4, 1, 2, 4), attention_after=(2, 5)):
        super().__init__()
        self.inp = nn.Conv3d(2 * c + 1, ch, (1, 3, 3), padding=(0, 1, 1))
        self.text_proj = nn.Linear(TEXT_DIM, cond_dim)
        self.cond = nn.Sequential(nn.Linear(cond_dim * 3, cond_dim), nn.SiLU(), nn.Linear(cond_dim, cond_dim))
        self.cond_dim = cond_dim
        self.blocks = nn.ModuleList([ResBlock(ch, cond_dim, d) for d in dilations])
        self.attention_after = tuple(attention_after)
        self.attention = nn.ModuleList([TemporalAttention(ch) for _ in attention_after])
        self.out_norm = nn.GroupNorm(8, ch)
        self.out = nn.Conv3d(ch, c, (1, 3, 3), padding=(0, 1, 1))

    def forward(self, sample, timestep, text_states, context, context_mask, frame_stride):
        m = context_mask[:, None, :, None, None]
        x = self.inp(torch.cat([sample, context * m, m.expand(-1, 1, -1, sample.shape[3], sample.shape[4])], 1))
        # padded text positions are exact zeros; mean over the fixed token count keeps the export simple
        text = self.text_proj(text_states.mean(dim=1))
        cond = torch.cat([sinusoid(timestep * 1000.0, self.cond_dim),
                          sinusoid(torch.log2(frame_stride) * 100.0, self.cond_dim), text], dim=1)
        cond = self.cond(cond)
        for i, b in enumerate(self.blocks):
            x = b(x, cond)
            if i in self.attention_after:
                x = self.attention[self.attention_after.index(i)](x)
        return self.out(F.silu(self.out_norm(x)))
