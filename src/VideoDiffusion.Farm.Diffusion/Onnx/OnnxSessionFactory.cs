using Microsoft.ML.OnnxRuntime;
using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Diffusion.Onnx;

/// <summary>Creates ONNX Runtime sessions with the configured threads and provider; broken files are refused by name.</summary>
public static class OnnxSessionFactory
{
    public static InferenceSession Create(string path, OnnxRuntimeSettings settings, IEnumerable<string> requiredInputs, IEnumerable<string> requiredOutputs)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = settings.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (!settings.AllowSpinning)
        {
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }
        AddProvider(options, settings);
        InferenceSession session;
        try
        {
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new ModelLoadException($"{path}: not a loadable ONNX model: {e.Message.Split('\n')[0]}", e);
        }
        try
        {
            foreach (var input in requiredInputs)
            {
                if (!session.InputMetadata.ContainsKey(input))
                {
                    throw new ModelLoadException(
                        $"{path}: has no input '{input}' (inputs: {string.Join(", ", session.InputMetadata.Keys)})");
                }
            }
            foreach (var output in requiredOutputs)
            {
                if (!session.OutputMetadata.ContainsKey(output))
                {
                    throw new ModelLoadException(
                        $"{path}: has no output '{output}' (outputs: {string.Join(", ", session.OutputMetadata.Keys)})");
                }
            }
        }
        catch
        {
            session.Dispose();
            throw;
        }
        return session;
    }

    private static void AddProvider(SessionOptions options, OnnxRuntimeSettings settings)
    {
        switch (settings.ExecutionProvider.ToLowerInvariant())
        {
            case "cpu":
                return;
            case "cuda":
            case "tensorrt":
                try
                {
                    if (settings.ExecutionProvider.Equals("tensorrt", StringComparison.OrdinalIgnoreCase))
                    {
                        options.AppendExecutionProvider_Tensorrt(settings.DeviceId);
                    }
                    options.AppendExecutionProvider_CUDA(settings.DeviceId);
                }
                catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
                {
                    throw new ModelLoadException(
                        $"execution provider '{settings.ExecutionProvider}' is not available in this build or on this machine " +
                        $"(build with -p:OnnxRuntimeFlavor=Gpu on a machine with CUDA): {e.Message.Split('\n')[0]}", e);
                }
                return;
            default:
                throw new ModelLoadException($"unknown execution provider '{settings.ExecutionProvider}' (cpu, cuda, tensorrt)");
        }
    }
}
