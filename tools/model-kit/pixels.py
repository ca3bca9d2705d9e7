"""Frames as the networks see them: uint8 (N, H, W, 3) <-> float (N, 3, H, W) in [-1, 1]."""
import torch


def to_unit(frames_u8):
    return torch.from_numpy(frames_u8).float().permute(0, 3, 1, 2) / 127.5 - 1.0


def to_u8(x):
    return ((x.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
