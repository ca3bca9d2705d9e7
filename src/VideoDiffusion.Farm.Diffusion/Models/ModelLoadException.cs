namespace VideoDiffusion.Farm.Diffusion.Models;

/// <summary>A model folder that cannot be used; the message names the file and, where known, the field.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
