using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace VideoDiffusion.Farm.Diffusion.Tests;

/// <summary>ONNX Runtime must reproduce the PyTorch outputs the model kit saved next to each ONNX file.</summary>
public class GoldenTensorTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        var folders = new List<string> { RepositoryPaths.MoonwalkTiny };
        // the CI's model-kit smoke run exports a fresh model here, so the kit's exporter is checked too
        if (Environment.GetEnvironmentVariable("FARM_EXTRA_GOLDEN_MODEL") is { Length: > 0 } extra)
        {
            folders.Add(extra);
        }
        foreach (var folder in folders)
        {
            using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "golden", "golden.json")));
            var cases = index.RootElement.EnumerateObject().Select(e => e.Name).ToList();
            // every part of the model contract that the folder has must have golden tensors (the first-frame model is optional)
            foreach (var part in new[] { "text_encoder", "denoiser", "vae_decoder", "vae_encoder", "first_frame" })
            {
                if ((part != "first_frame" || File.Exists(Path.Combine(folder, part + ".onnx"))) && !cases.Contains(part))
                {
                    throw new InvalidDataException($"{folder}: no golden tensors for {part}");
                }
            }
            foreach (var name in cases)
            {
                data.Add(folder, name);
            }
        }
        return data;
    }

    /// <summary>The ONNX file a golden case runs: "denoiser@base" is a case of denoiser.onnx (one branch of a routed graph).</summary>
    private static string OnnxFileOf(string folder, string goldenCase) => Path.Combine(folder, goldenCase.Split('@')[0] + ".onnx");

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxRuntimeReproducesPyTorch(string folder, string part)
    {
        var (expected, actual) = Run(folder, part, threads: 1);
        Assert.Equal(expected.Length, actual.Length);
        var maxDiff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1e-4, $"{part}: max abs difference {maxDiff:E2} > 1e-4");
    }

    /// <summary>
    /// Silos may run a model with other thread counts than the embedded renderer, and the farm's video must not
    /// change: every graph gives the same bits with 1 and 2 intra-op threads (a routed graph's nested `If` once did not).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void OutputDoesNotDependOnTheThreadCount(string folder, string part)
    {
        Assert.Equal(Run(folder, part, threads: 1).Actual, Run(folder, part, threads: 2).Actual);
    }

    /// <summary>Runs a golden case's inputs through its ONNX file; returns the PyTorch output and ONNX Runtime's.</summary>
    private static (float[] Expected, float[] Actual) Run(string folder, string part, int threads)
    {
        var golden = Path.Combine(folder, "golden");
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(golden, "golden.json")));
        var entry = index.RootElement.GetProperty(part);
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
        using var session = new InferenceSession(OnnxFileOf(folder, part), sessionOptions);
        var inputs = new List<(string Name, OrtValue Value)>();
        try
        {
            foreach (var input in entry.GetProperty("inputs").EnumerateObject())
            {
                var shape = input.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var bytes = File.ReadAllBytes(Path.Combine(golden, input.Value.GetProperty("file").GetString()!));
                var value = input.Value.GetProperty("dtype").GetString() switch
                {
                    "int64" => OrtValue.CreateTensorValueFromMemory(Cast<long>(bytes), shape),
                    "float32" => OrtValue.CreateTensorValueFromMemory(Cast<float>(bytes), shape),
                    var other => throw new InvalidDataException($"dtype {other}"),
                };
                inputs.Add((input.Name, value));
            }
            var outputName = entry.GetProperty("outputs").EnumerateObject().Single();
            var expected = Cast<float>(File.ReadAllBytes(Path.Combine(golden, outputName.Value.GetProperty("file").GetString()!)));
            using var options = new RunOptions();
            using var outputs = session.Run(options, inputs.Select(i => i.Name).ToArray(), inputs.Select(i => i.Value).ToArray(), [outputName.Name]);
            return (expected, outputs[0].GetTensorDataAsSpan<float>().ToArray());
        }
        finally
        {
            foreach (var (_, value) in inputs)
            {
                value.Dispose();
            }
        }
    }

    private static T[] Cast<T>(byte[] bytes) where T : struct
    {
        var result = new T[bytes.Length / System.Runtime.InteropServices.Marshal.SizeOf<T>()];
        Buffer.BlockCopy(bytes, 0, result, 0, bytes.Length);
        return result;
    }
}
