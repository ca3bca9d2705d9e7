using System.Text.Json.Nodes;
using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Diffusion.Tests;

public sealed class ManifestTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "farm-manifest-" + Guid.NewGuid().ToString("N"));

    public ManifestTests()
    {
        Directory.CreateDirectory(_folder);
        foreach (var file in Directory.GetFiles(RepositoryPaths.MoonwalkTiny))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string ManifestPath => Path.Combine(_folder, "manifest.json");

    private void Edit(Action<JsonObject> change)
    {
        var json = JsonNode.Parse(File.ReadAllText(ManifestPath))!.AsObject();
        change(json);
        File.WriteAllText(ManifestPath, json.ToJsonString());
    }

    [Fact]
    public void TheShippedModelLoads()
    {
        var m = ModelManifestLoader.Load(_folder);
        Assert.Equal("moonwalk-tiny", m.Name);
        Assert.True(m.Conditioning.ContextLatents);
    }

    [Fact]
    public void MissingFolderIsNamed() =>
        Assert.Contains("/no/such/model", Assert.Throws<ModelLoadException>(() => ModelManifestLoader.Load("/no/such/model")).Message);

    [Fact]
    public void MissingManifestIsNamed()
    {
        File.Delete(ManifestPath);
        Assert.Contains("manifest.json: missing", Assert.Throws<ModelLoadException>(() => ModelManifestLoader.Load(_folder)).Message);
    }

    [Fact]
    public void MalformedJsonNamesTheFile()
    {
        File.WriteAllText(ManifestPath, "{ \"name\": ");
        Assert.Contains("manifest.json: invalid manifest", Assert.Throws<ModelLoadException>(() => ModelManifestLoader.Load(_folder)).Message);
    }

    [Theory]
    [InlineData("latent", "channels", -1, "latent.channels")]
    [InlineData("window", "native", 99, "window.native")]
    [InlineData("sampler", "shift", 0, "sampler.shift")]
    [InlineData("video", "width", 63, "video.width")]
    [InlineData("guidance", "focus", -1, "guidance.focus")]
    public void BadValuesNameTheField(string section, string field, int value, string expected)
    {
        Edit(j => j[section]![field] = value);
        var e = Assert.Throws<ModelLoadException>(() => ModelManifestLoader.Load(_folder));
        Assert.Contains($"field '{expected}'", e.Message);
        Assert.Contains("manifest.json", e.Message);
    }

    [Fact]
    public void WrongTypeNamesTheField()
    {
        Edit(j => j["latent"]!["channels"] = "eight");
        Assert.Contains("latent.channels", Assert.Throws<ModelLoadException>(() => ModelManifestLoader.Load(_folder)).Message);
    }

    [Fact]
    public void MissingSectionIsRefused()
    {
        Edit(j => j.Remove("sampler"));
        Assert.Contains("sampler", Assert.Throws<ModelLoadException>(() => ModelManifestLoader.Load(_folder)).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MissingOnnxFileNamesFileAndField()
    {
        File.Delete(Path.Combine(_folder, "denoiser.onnx"));
        var e = Assert.Throws<ModelLoadException>(() => ModelManifestLoader.Load(_folder));
        Assert.Contains("denoiser.onnx", e.Message);
        Assert.Contains("files.denoiser", e.Message);
    }

    [Fact]
    public void MissingFirstFrameFileNamesFileAndField()
    {
        Edit(j => j["files"]!["firstFrame"] = "layout.onnx");
        var e = Assert.Throws<ModelLoadException>(() => ModelManifestLoader.Load(_folder));
        Assert.Contains("layout.onnx", e.Message);
        Assert.Contains("files.firstFrame", e.Message);
    }

    [Fact]
    public void FirstFrameNeedsItsTensorNames()
    {
        File.Copy(Path.Combine(_folder, "denoiser.onnx"), Path.Combine(_folder, "layout.onnx"));
        Edit(j =>
        {
            j["files"]!["firstFrame"] = "layout.onnx";
            j["tensors"]!.AsObject().Remove("firstFrame");
        });
        Assert.Contains("field 'tensors.firstFrame'", Assert.Throws<ModelLoadException>(() => ModelManifestLoader.Load(_folder)).Message);
    }

    [Theory]
    [InlineData("[1, 2, 4, 8, 16]", null)]
    [InlineData("[2, 4, 8]", "must start at 1 and ascend")]
    [InlineData("[1, 8, 4]", "must start at 1 and ascend")]
    [InlineData("[]", "must start at 1 and ascend")]
    public void FrameStridesStartAtOneAndAscend(string strides, string? error)
    {
        Edit(j => j["conditioning"]!["frameStrides"] = JsonNode.Parse(strides));
        if (error is null)
        {
            Assert.Equal([1, 2, 4, 8, 16], ModelManifestLoader.Load(_folder).Conditioning.TrainedStrides);
            return;
        }
        var message = Assert.Throws<ModelLoadException>(() => ModelManifestLoader.Load(_folder)).Message;
        Assert.Contains("field 'conditioning.frameStrides'", message);
        Assert.Contains(error, message);
    }

    [Fact]
    public void FrameStridesDefaultToOneTwoFourAndEight() =>
        Assert.Equal([1, 2, 4, 8], ModelManifestLoader.Load(_folder).Conditioning.TrainedStrides);

    [Fact]
    public void ModelWithoutFirstFrameLoadsWithoutIt()
    {
        Edit(j =>
        {
            j["files"]!.AsObject().Remove("firstFrame");
            j["tensors"]!.AsObject().Remove("firstFrame");
        });
        using var model = DiffusionModel.Load(_folder);
        Assert.Null(model.FirstFrame);
    }

    [Fact]
    public void CorruptOnnxFileIsRefusedAtLoad()
    {
        File.WriteAllBytes(Path.Combine(_folder, "vae_decoder.onnx"), [1, 2, 3, 4, 5]);
        var e = Assert.Throws<ModelLoadException>(() => DiffusionModel.Load(_folder));
        Assert.Contains("vae_decoder.onnx", e.Message);
    }

    [Fact]
    public void WrongTensorNameIsRefusedAtLoad()
    {
        Edit(j => j["tensors"]!["denoiser"]!["sample"] = "latents_in");
        var e = Assert.Throws<ModelLoadException>(() => DiffusionModel.Load(_folder));
        Assert.Contains("denoiser.onnx: has no input 'latents_in'", e.Message);
    }

    [Fact]
    public void UnavailableGpuProviderGivesAClearError()
    {
        var e = Assert.Throws<ModelLoadException>(() => DiffusionModel.Load(_folder, new Onnx.OnnxRuntimeSettings { ExecutionProvider = "cuda" }));
        Assert.Contains("execution provider 'cuda' is not available", e.Message);
    }
}
