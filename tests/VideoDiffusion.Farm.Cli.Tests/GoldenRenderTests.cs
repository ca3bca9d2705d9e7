using System.Security.Cryptography;

namespace VideoDiffusion.Farm.Cli.Tests;

/// <summary>
/// The exact bytes of small lossless renders, one case per way of rendering, from both engines. The SHA-256 of each
/// y4m was recorded from <c>farm render</c>; both engines gave the same bytes. A change to planning, denoising,
/// fusion or the window grains that alters a single sample fails here, naming the case and the engine.
/// </summary>
/// <remarks>
/// Every case: 3 s at the model's 8 fps (24 latent frames), 3 steps, seed 7, no upscale, windows of 8 latent frames
/// overlapping by 2 — four windows (0, 6, 12, 18; the last one 6 frames long), so overlaps fuse and keyframes anchor.
/// Each case holds one hash per kind of CPU it was recorded on (two kinds so far; the second an AMD EPYC with AVX-512,
/// where one case came out the same): the same code gives other bytes on another instruction set. When a change is meant to alter the output,
/// re-record on each kind: run <c>farm render</c> with a case's arguments and <c>--out x.y4m</c>, then
/// <c>sha256sum x.y4m</c>. Farm and reference equal each other on every machine (<c>FarmJobTests</c>).
/// </remarks>
public sealed class GoldenRenderTests : IDisposable
{
    private const string Prompt = "a red ball bouncing on the beach";

    /// <summary>Two prompts; the cut (latent frame 16) falls inside window 2 (frames 12–19).</summary>
    private const string Storyboard =
        """{"segments":[{"prompt":"a red ball bouncing on the beach","from":0,"to":2},{"prompt":"a blue cube sliding left in space","from":2,"to":3}]}""";

    private static readonly string[] Small = ["--steps", "3", "--seed", "7", "--scale", "1", "--window", "8", "--overlap", "2"];

    /// <summary>A way of rendering, the arguments that select it and the SHA-256 of its y4m.</summary>
    /// <param name="FarmArgs">Extra arguments for the farm engine only (how many in-process silos).</param>
    /// <param name="Sha256">The hashes recorded on the CPU kinds seen here: ONNX Runtime picks its kernels by instruction
    /// set (AVX2, AVX-512), whose float sums can differ in the last bits, so the bytes are fixed per kind of CPU.</param>
    public sealed record GoldenCase(string Name, string[] Args, string[] Sha256, string[]? FarmArgs = null);

    public static readonly IReadOnlyList<GoldenCase> Cases =
    [
        // co-denoise anchored on a keyframe pass (default anchors), overlaps fused after every step; windows on two silos
        new("co-denoise anchored, sync every step", [Prompt, "--seconds", "3", "--sync-every", "1"],
            ["c479c3508449c90f800b2685ad8cad10384465f0f05e21cd54a4e91ab028af60", "f5ce7191d8b049530d25cb22b2bee1f55c808741bb148f78003b1ec53a513327"], FarmArgs: ["--silos", "2"]),
        // anchored, overlaps cross-faded once at the end (the same work as --strategy keyframes at the default stride)
        new("co-denoise anchored, sync at the end only", [Prompt, "--seconds", "3", "--sync-every", "0"],
            ["308c8ab29bab7b8f87841f8ddc06cd36bd80673ef45e2aa0f3aeed62285ea0e1", "d12821ddf07de0ca47005427d75bec95d1380e65f9ac3fcf5bd141a0895d7db8"]),
        new("co-denoise plain, sync every step", [Prompt, "--seconds", "3", "--anchors", "none", "--sync-every", "1"],
            ["0aa80bcdb60572849f89a9c3033a69c6608a83b7ade5074703cc18791504ee61", "de3ca1c37fedb6bac7573b59de22c079be834f56517168da49d4ef21c619f1f7"]),
        new("co-denoise plain, sync at the end only", [Prompt, "--seconds", "3", "--anchors", "none", "--sync-every", "0"],
            ["a2cd76269041263829da651f175967d8d9f21b0730fa2079a09fe6b9e868e13b"]),
        // keyframes every 2 latent frames: 12 keyframes, so the keyframe pass itself runs two chained windows
        new("keyframes, stride 2", [Prompt, "--seconds", "3", "--strategy", "keyframes", "--keyframe-stride", "2"],
            ["b203aa1526fd8585090dc88851551a80f4de6181cb13b26430b9faa7caf44ced", "5db2c4ba1fb11639963da0c4448563fa0dc8524804295cafa742c222c9c69dc5"]),
        new("autoregressive", [Prompt, "--seconds", "3", "--strategy", "autoregressive"],
            ["71afe50373f4f38eb30b6fe8ed05afd198745a940d761caa941a22e1d4f7c83a", "f955acec47084323c2aebb82166363440f1f66e420919cae59342fb7b06912d8"]),
        new("storyboard, two prompts", ["--storyboard", "{storyboard}"],
            ["815db793a256c2a62669e6ac8583e68d2119631c04c6188de1a892413fd60c53", "a1b70b14c848968903152fcec0520ead4b831d528e7037010e735496a3222374"]),
        // all the cases above open with the model's first-frame pass; this one starts from noise
        new("co-denoise anchored, no first-frame pass", [Prompt, "--seconds", "3", "--first-frame", "false"],
            ["85ea64d8b62498add79f6c25ba5744ea9ae1efdc23e63bd4588a4b66a45f48c5", "7129bc5d4e6c93eede7ce66e61efbf7cf4528c801eebad6fdac2e30ff58bba89"]),
    ];

    public static readonly string[] Engines = ["reference", "farm"];

    public static TheoryData<string, string> CasesAndEngines()
    {
        var data = new TheoryData<string, string>();
        foreach (var @case in Cases)
        {
            foreach (var engine in Engines)
            {
                data.Add(@case.Name, engine);
            }
        }
        return data;
    }

    private readonly string _dir = Directory.CreateTempSubdirectory("farm-golden-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [MemberData(nameof(CasesAndEngines))]
    public void RenderHasTheRecordedBytes(string caseName, string engine)
    {
        var @case = Cases.Single(c => c.Name == caseName);
        var board = Path.Combine(_dir, "board.json");
        File.WriteAllText(board, Storyboard);
        var output = Path.Combine(_dir, "render.y4m");
        string[] args =
        [
            "render", .. @case.Args.Select(a => a == "{storyboard}" ? board : a), .. Small,
            "--engine", engine, .. engine == "farm" ? @case.FarmArgs ?? [] : [],
            "--out", output,
        ];
        var run = FarmCli.Run(args);
        Assert.True(run.ExitCode == 0, $"{caseName} on the {engine} engine: farm exited with {run.ExitCode}\n{run.Error}");
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(output)));
        Assert.True(@case.Sha256.Contains(sha256),
            $"{caseName} on the {engine} engine: the y4m's SHA-256 is {sha256}, recorded {string.Join(" or ", @case.Sha256)} " +
            $"(farm {string.Join(' ', args.Select(a => a.Contains(' ') ? $"\"{a}\"" : a))})");
    }

    [Fact]
    public void EveryCaseRendersSomethingOfItsOwn() =>
        Assert.Equal(Cases.Sum(c => c.Sha256.Length), Cases.SelectMany(c => c.Sha256).Distinct().Count());
}
