using System.Text.Json;

namespace VideoDiffusion.Farm.Cli.Tests;

public sealed class RenderCommandTests : IDisposable
{
    private const string SeedPrompt = "Bluey walking on the moon after coming out of the spaceship";
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Out(string name) => Path.Combine(_dir, name);

    [Fact]
    public void SameRequestAndSeedGiveByteIdenticalY4m()
    {
        string[] common = [SeedPrompt, "--seconds", "4", "--steps", "6", "--seed", "7", "--scale", "1"];
        var a = FarmCli.Run(["render", .. common, "--out", Out("a.y4m")]);
        var b = FarmCli.Run(["render", .. common, "--out", Out("b.y4m"), "--batch", "1"]);
        Assert.True(a.ExitCode == 0, a.Error);
        Assert.True(b.ExitCode == 0, b.Error);
        Assert.Equal(File.ReadAllBytes(Out("a.y4m")), File.ReadAllBytes(Out("b.y4m")));
        var c = FarmCli.Run(["render", SeedPrompt, "--seconds", "4", "--steps", "6", "--seed", "8", "--scale", "1", "--out", Out("c.y4m")]);
        Assert.True(c.ExitCode == 0, c.Error);
        Assert.NotEqual(File.ReadAllBytes(Out("a.y4m")), File.ReadAllBytes(Out("c.y4m")));
    }

    [Theory]
    [InlineData("co-denoise", "1", "1")]
    [InlineData("co-denoise", "1", "3")]
    [InlineData("co-denoise", "4", "1")]
    [InlineData("co-denoise", "4", "3")]
    [InlineData("keyframes", "1", "1")]
    [InlineData("keyframes", "1", "3")]
    [InlineData("autoregressive", "1", "1")]
    [InlineData("autoregressive", "1", "3")]
    public async Task FarmEngineEqualsTheReferenceEngine(string strategy, string syncEvery, string silos)
    {
        string[] job = [SeedPrompt, "--seconds", "10", "--steps", "6", "--scale", "1", "--strategy", strategy, "--sync-every", syncEvery];
        var farm = FarmCli.Run(["render", .. job, "--engine", "farm", "--silos", silos, "--out", Out("farm.y4m")]);
        Assert.True(farm.ExitCode == 0, farm.Error);
        Assert.Equal(await ReferenceRenders.Y4mAsync(job), File.ReadAllBytes(Out("farm.y4m")));
    }

    [Fact]
    public void StoryboardRenderWritesAReportWithPlanTimingsAndQuality()
    {
        var board = Out("board.json");
        File.WriteAllText(board, """{"segments":[{"prompt":"a red ball bouncing on the beach","from":0,"to":3},{"prompt":"a blue cube sliding left in space","from":3,"to":6}]}""");
        var r = FarmCli.Run("render", "--storyboard", board, "--steps", "4", "--engine", "reference", "--out", Out("board.mp4"), "--report", Out("report.json"));
        Assert.True(r.ExitCode == 0, r.Error);
        using var report = JsonDocument.Parse(File.ReadAllText(Out("report.json")));
        var root = report.RootElement;
        Assert.Equal(48, root.GetProperty("job").GetProperty("pixelFrames").GetInt32());
        Assert.Equal(4, root.GetProperty("plan").GetProperty("windows").GetArrayLength());
        Assert.True(root.GetProperty("timingsSeconds").GetProperty("denoising").GetDouble() > 0);
        Assert.True(root.GetProperty("quality").GetProperty("seamRatio").GetDouble() > 0);
        Assert.Contains("wrote", r.Error);
    }

    [Fact]
    public void BothEnginesReportTheSameJobSettingsInFoldersTheyCreate()
    {
        string[] job = [SeedPrompt, "--seconds", "4", "--steps", "2", "--strategy", "keyframes", "--keyframe-stride", "2"];
        var reports = new List<JsonElement>();
        foreach (var engine in new[] { "farm", "reference" })
        {
            // each report in a folder that does not exist yet: it is created, as the video's is
            var r = FarmCli.Run(["render", .. job, "--engine", engine, "--out", Out($"{engine}.mp4"), "--report", Out($"reports-{engine}/report.json")]);
            Assert.True(r.ExitCode == 0, r.Error);
            using var report = JsonDocument.Parse(File.ReadAllText(Out($"reports-{engine}/report.json")));
            Assert.Equal(engine, report.RootElement.GetProperty("engine").GetString());
            reports.Add(report.RootElement.Clone());
        }
        Assert.Equal(reports[0].GetProperty("job").GetRawText(), reports[1].GetProperty("job").GetRawText());
        Assert.Equal(reports[0].GetProperty("plan").GetRawText(), reports[1].GetProperty("plan").GetRawText());
        Assert.Equal(2, reports[0].GetProperty("job").GetProperty("keyframeStride").GetInt32());
    }

    [Theory]
    [InlineData("prompt", "", "--out", "x.mp4")]
    [InlineData("overlap", "a dog", "--overlap", "9", "--out", "x.mp4")]
    [InlineData("strategy", "a dog", "--strategy", "sideways", "--out", "x.mp4")]
    [InlineData("blend", "a dog", "--blend", "sharp", "--out", "x.mp4")]
    [InlineData("anchors", "a dog", "--anchors", "rope", "--out", "x.mp4")]
    [InlineData("anchors", "a dog", "--strategy", "keyframes", "--anchors", "none", "--out", "x.mp4")]
    [InlineData("steps", "a dog", "--steps", "0", "--out", "x.mp4")]
    [InlineData("guidance", "a dog", "--guidance", "-2", "--out", "x.mp4")]
    [InlineData("seconds", "a dog", "--seconds", "-1", "--out", "x.mp4")]
    [InlineData("storyboard", "--storyboard", "/no/such/board.json", "--out", "x.mp4")]
    [InlineData("unsupported output", "a dog", "--out", "x.avi")]
    [InlineData("model", "a dog", "--model", "/no/such/model", "--out", "x.mp4")]
    [InlineData("engine", "a dog", "--engine", "warp", "--out", "x.mp4")]
    [InlineData("silos", "a dog", "--silos", "0", "--out", "x.mp4")]
    [InlineData("threads", "a dog", "--threads", "0", "--out", "x.mp4")]
    public void BadInputsGiveAOneLineErrorAndNonZeroExit(string expected, params string[] args)
    {
        var withDir = args.Select(a => a.StartsWith("x.") ? Out(a) : a).ToArray();
        var r = FarmCli.Run(["render", .. withDir]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.StartsWith("error: ", r.Error);
        Assert.Contains(expected, r.Error);
        Assert.Single(r.Error.Trim().Split('\n'));
        Assert.False(File.Exists(Out("x.mp4")));
    }

    [Theory]
    [InlineData("farm")]
    [InlineData("reference")]
    public void ABrokenOnnxFileIsRefusedWithExitThreeNamingTheFile(string engine)
    {
        var model = Path.Combine(_dir, "models", "moonwalk-tiny");
        Directory.CreateDirectory(model);
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "models", "moonwalk-tiny")))
        {
            File.Copy(file, Path.Combine(model, Path.GetFileName(file)));
        }
        File.WriteAllBytes(Path.Combine(model, "denoiser.onnx"), [1, 2, 3]);
        var r = FarmCli.Run("render", "a red ball on the beach", "--seconds", "2", "--engine", engine, "--model", model, "--out", Out("x.mp4"));
        Assert.Equal(3, r.ExitCode);
        var error = Assert.Single(r.Error.Trim().Split('\n'), line => line.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith("error: model: ", error);
        Assert.Equal(error, r.Error.Trim().Split('\n')[^1]);
        Assert.Contains("denoiser.onnx", error);
        Assert.False(File.Exists(Out("x.mp4")));
    }

    [Fact]
    public void HelpListsTheOptions()
    {
        var r = FarmCli.Run("render", "--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var option in new[] { "--seconds", "--storyboard", "--strategy", "--sync-every", "--blend", "--engine", "--report", "--scale" })
        {
            Assert.Contains(option, r.Output);
        }
    }
}
