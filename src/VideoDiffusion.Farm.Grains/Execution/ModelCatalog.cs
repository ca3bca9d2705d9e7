using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>Resolves model names to folders and caches their validated manifests.</summary>
public sealed class ModelCatalog(IOptions<AcceleratorOptions> options)
{
    private readonly ConcurrentDictionary<string, ModelManifest> _manifests = new();

    public string FolderOf(string model)
    {
        if (string.IsNullOrWhiteSpace(model) || model.Contains('/') || model.Contains('\\') || model.StartsWith('.'))
        {
            throw new ModelLoadException($"invalid model name '{model}'");
        }
        return Path.Combine(options.Value.ModelsRoot, model);
    }

    public ModelManifest Manifest(string model) => _manifests.GetOrAdd(model, m => ModelManifestLoader.Load(FolderOf(m)));

    public IReadOnlyList<string> Available() =>
        Directory.Exists(options.Value.ModelsRoot)
            ? Directory.GetDirectories(options.Value.ModelsRoot).Where(d => File.Exists(Path.Combine(d, ModelManifestLoader.ManifestFileName))).Select(Path.GetFileName).OfType<string>().Order().ToList()
            : [];
}
