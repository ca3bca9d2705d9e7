using Microsoft.ML.OnnxRuntime;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Denoising;

/// <summary>
/// Runs a denoiser ONNX file on a batch of window-steps: unconditional and conditional halves in one call
/// (2B rows), then classifier-free guidance (focused as the job says). Not thread-safe per instance: one per accelerator slot.
/// The video denoiser and the first-frame model (one-frame windows, no context or stride inputs) both run through it.
/// </summary>
public sealed class GuidedDenoiser : IDisposable
{
    private readonly InferenceSession _session;
    private readonly DenoiserTensors _names;
    private readonly ConditioningSettings _conditioning;
    private readonly string[] _inputNames;

    public GuidedDenoiser(ModelManifest manifest, OnnxRuntimeSettings settings)
        : this(manifest.PathOf(manifest.Files.Denoiser), manifest.Tensors.Denoiser, manifest.Conditioning, settings)
    {
    }

    public GuidedDenoiser(string path, DenoiserTensors names, ConditioningSettings conditioning, OnnxRuntimeSettings settings)
    {
        _names = names;
        _conditioning = conditioning;
        var inputs = new List<string> { _names.Sample, _names.Timestep, _names.TextStates };
        if (_conditioning.ContextLatents)
        {
            inputs.Add(_names.Context!);
            inputs.Add(_names.ContextMask!);
        }
        if (_conditioning.FrameStride)
        {
            inputs.Add(_names.FrameStride!);
        }
        if (_names.GuidanceTextStates is { } guidanceText)
        {
            inputs.Add(guidanceText);
        }
        _inputNames = [.. inputs];
        _session = OnnxSessionFactory.Create(path, settings, _inputNames, [_names.Output]);
    }

    /// <summary>Guided velocities for window-steps that share a <see cref="WindowStepInput.BatchKey"/>.</summary>
    public LatentTensor[] Predict(IReadOnlyList<WindowStepInput> batch)
    {
        if (batch.Count == 0)
        {
            return [];
        }
        var first = batch[0];
        var key = first.BatchKey;
        if (batch.Any(b => b.BatchKey != key || !b.Sample.SameShape(first.Sample)))
        {
            throw new ArgumentException("a denoiser batch must share frames, tokens and latent shape");
        }
        int n = batch.Count, rows = 2 * n, t = first.Sample.Frames;
        var windowSize = first.Sample.Data.Length;
        var textSize = first.Conditional.States.Length;
        long[] sampleShape = [rows, first.Sample.Channels, t, first.Sample.Height, first.Sample.Width];

        var sample = new float[rows * windowSize];
        var timesteps = new float[rows];
        var text = new float[rows * textSize];
        var guidanceText = _names.GuidanceTextStates is null ? null : new float[rows * textSize];
        var context = _conditioning.ContextLatents ? new float[rows * windowSize] : null;
        var mask = _conditioning.ContextLatents ? new float[rows * t] : null;
        var strides = new float[rows];
        for (var i = 0; i < n; i++)
        {
            var item = batch[i];
            foreach (var (row, states) in new[] { (i, item.Unconditional), (n + i, item.Conditional) })
            {
                item.Sample.CopyToChannelMajor(sample.AsSpan(row * windowSize, windowSize));
                timesteps[row] = item.Timestep;
                states.States.CopyTo(text, row * textSize);
                if (guidanceText is not null)
                {
                    item.Conditional.States.CopyTo(guidanceText, row * textSize);
                }
                strides[row] = item.FrameStride;
                if (context is not null && item.Context is not null)
                {
                    item.Context.CopyToChannelMajor(context.AsSpan(row * windowSize, windowSize));
                    item.Context.Mask.CopyTo(mask!, row * t);
                }
            }
        }

        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(sample, sampleShape),
            OrtValue.CreateTensorValueFromMemory(timesteps, [rows]),
            OrtValue.CreateTensorValueFromMemory(text, [rows, first.Conditional.Tokens, first.Conditional.Dim]),
        };
        if (context is not null)
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(context, sampleShape));
            values.Add(OrtValue.CreateTensorValueFromMemory(mask!, [rows, t]));
        }
        if (_conditioning.FrameStride)
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(strides, [rows]));
        }
        if (guidanceText is not null)
        {
            values.Add(OrtValue.CreateTensorValueFromMemory(guidanceText, [rows, first.Conditional.Tokens, first.Conditional.Dim]));
        }
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, _inputNames, values, [_names.Output]);
            var velocity = outputs[0].GetTensorDataAsSpan<float>();
            if (velocity.Length != sample.Length)
            {
                throw new InvalidOperationException($"denoiser returned {velocity.Length} values, expected {sample.Length}");
            }
            var result = new LatentTensor[n];
            var guided = new float[windowSize];
            for (var i = 0; i < n; i++)
            {
                velocity.Slice((n + i) * windowSize, windowSize).CopyTo(guided);
                var s = batch[i].Sample;
                batch[i].Guidance.Combine(velocity.Slice(i * windowSize, windowSize), guided, s.Channels, s.Frames);
                result[i] = new LatentTensor(s.Frames, s.Channels, s.Height, s.Width);
                result[i].CopyFromChannelMajor(guided);
            }
            return result;
        }
        finally
        {
            foreach (var v in values)
            {
                v.Dispose();
            }
        }
    }

    /// <summary>The first-frame model of <paramref name="manifest"/>, or null when it has none.</summary>
    public static GuidedDenoiser? FirstFrameOf(ModelManifest manifest, OnnxRuntimeSettings settings) =>
        manifest.Files.FirstFrame is { } file && manifest.Tensors.FirstFrame is { } names
            ? new GuidedDenoiser(manifest.PathOf(file), names, new ConditioningSettings(), settings)
            : null;

    public void Dispose() => _session.Dispose();
}
