using System.Text.Json.Nodes;
using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Diffusion.Tests;

/// <summary>A model's content hash: the same for a byte-identical copy, different when any file it covers changes.</summary>
public sealed class ModelContentHashTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("farm-hash-").FullName;

    public ModelContentHashTests()
    {
        foreach (var file in Directory.GetFiles(RepositoryPaths.MoonwalkTiny))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static string HashOf(string folder) => ModelContentHash.Of(ModelManifestLoader.Load(folder));

    [Fact]
    public void ACopyHashesAlikeAndFilesTheManifestDoesNotNameAreLeftOut()
    {
        File.WriteAllText(Path.Combine(_folder, "notes.txt"), "not part of the model");
        var hash = HashOf(_folder);
        Assert.Equal(HashOf(RepositoryPaths.MoonwalkTiny), hash);
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    [Fact]
    public void TheManifestsDescriptionChangesTheHash()
    {
        var path = Path.Combine(_folder, ModelManifestLoader.ManifestFileName);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        manifest["description"] = "another description";
        File.WriteAllText(path, manifest.ToJsonString());
        Assert.NotEqual(HashOf(RepositoryPaths.MoonwalkTiny), HashOf(_folder));
    }

    [Fact]
    public void TheVocabularyChangesTheHash()
    {
        File.AppendAllText(Path.Combine(_folder, "vocab.txt"), "zebra\n");
        Assert.NotEqual(HashOf(RepositoryPaths.MoonwalkTiny), HashOf(_folder));
    }
}
