using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>Resolves model names to folders and caches their validated manifests and content hashes.</summary>
public sealed class ModelCatalog(IOptions<AcceleratorOptions> options)
{
    private readonly ConcurrentDictionary<string, ModelManifest> _manifests = new();
    private readonly ConcurrentDictionary<string, Lazy<string>> _hashes = new();
    private IReadOnlyList<ModelInfo>? _served;

    public string FolderOf(string model)
    {
        if (string.IsNullOrWhiteSpace(model) || model.Contains('/') || model.Contains('\\') || model.StartsWith('.'))
        {
            throw new ModelLoadException($"invalid model name '{model}'");
        }
        return Path.Combine(options.Value.ModelsRoot, model);
    }

    public ModelManifest Manifest(string model) => _manifests.GetOrAdd(model, m => ModelManifestLoader.Load(FolderOf(m)));

    /// <summary>The model's content hash (<see cref="ModelContentHash"/>), computed once per silo.</summary>
    public string HashOf(string model) =>
        _hashes.GetOrAdd(model, m => new Lazy<string>(() => ModelContentHash.Of(Manifest(m)))).Value;

    public IReadOnlyList<string> Available() =>
        Directory.Exists(options.Value.ModelsRoot)
            ? Directory.GetDirectories(options.Value.ModelsRoot).Where(d => File.Exists(Path.Combine(d, ModelManifestLoader.ManifestFileName))).Select(Path.GetFileName).OfType<string>().Order().ToList()
            : [];

    /// <summary>
    /// The models this silo serves (none without accelerator slots), with the defaults a client needs to fill a request
    /// and this silo's content hash of each; a folder that does not load is left out (its error shows when a job asks
    /// for it by name). Read once, when the silo starts.
    /// </summary>
    public IReadOnlyList<ModelInfo> Served() => _served ??= Describe();

    private List<ModelInfo> Describe()
    {
        if (options.Value.Slots <= 0)
        {
            return [];
        }
        var models = new List<ModelInfo>();
        foreach (var name in Available())
        {
            try
            {
                var m = Manifest(name);
                models.Add(new ModelInfo(name, m.Video.Fps, m.Video.Width, m.Video.Height, m.Window.Native,
                    m.Window.Native / 4, m.Sampler.DefaultSteps, m.Guidance.Default, m.Synthetic, m.Files.FirstFrame is not null)
                {
                    Hashes = [new ModelServing(HashOf(name), 1)],
                });
            }
            catch (Exception e) when (e is ModelLoadException or IOException)
            {
                // a broken folder is not a model
            }
        }
        return models;
    }
}
