using Microsoft.ML.OnnxRuntime;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;

namespace VideoDiffusion.Farm.Diffusion.Text;

/// <summary>Runs the text encoder ONNX file: prompt -> <see cref="TextConditioning"/>.</summary>
public sealed class TextEncoder : IDisposable
{
    private readonly InferenceSession _session;
    private readonly TextEncoderTensors _names;
    private readonly WordTokenizer _tokenizer;
    private readonly int _dim;

    public TextEncoder(ModelManifest manifest, WordTokenizer tokenizer, OnnxRuntimeSettings settings)
    {
        _names = manifest.Tensors.TextEncoder;
        _tokenizer = tokenizer;
        _dim = manifest.Text.Dim;
        _session = OnnxSessionFactory.Create(manifest.PathOf(manifest.Files.TextEncoder), settings, [_names.InputIds], [_names.TextStates]);
    }

    public TextConditioning Encode(string prompt)
    {
        var ids = _tokenizer.Encode(prompt);
        using var input = OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]);
        using var outputs = _session.Run(new RunOptions(), [_names.InputIds], [input], [_names.TextStates]);
        var states = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        if (states.Length != ids.Length * _dim)
        {
            throw new ModelLoadException($"text encoder returned {states.Length} values, expected {ids.Length}x{_dim} (text.dim)");
        }
        return new TextConditioning(states, ids.Length, _dim);
    }

    public void Dispose() => _session.Dispose();
}
