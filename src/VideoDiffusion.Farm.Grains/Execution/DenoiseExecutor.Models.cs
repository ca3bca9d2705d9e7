using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>How the executor's slots load their models: the preloaded ones at start, and on a simulated slot each model's timing profile.</summary>
public sealed partial class DenoiseExecutor
{
    /// <summary>
    /// Loads the silo's advertised models (<see cref="AcceleratorOptions.PreloadModels"/>) before the slot takes work,
    /// while the silo is still starting, so the first window-step does not wait for session creation. A model that does
    /// not load fails <see cref="ModelsLoaded"/> (the silo never becomes ready) and is tried again by the first item
    /// that needs it, which reports the error.
    /// </summary>
    private void Preload(int slot, Dictionary<string, DiffusionModel> models, OnnxRuntimeSettings settings)
    {
        try
        {
            LoadPreloadModels(slot, models, settings);
        }
        finally
        {
            if (Interlocked.Decrement(ref _slotsPreloading) == 0)
            {
                if (Volatile.Read(ref _preloadFailure) is { } failure)
                {
                    _modelsLoaded.TrySetException(failure);
                }
                else
                {
                    _modelsLoaded.TrySetResult();
                }
            }
        }
    }

    private void LoadPreloadModels(int slot, Dictionary<string, DiffusionModel> models, OnnxRuntimeSettings settings)
    {
        foreach (var name in _options.PreloadModels)
        {
            if (_shutdown.IsCancellationRequested)
            {
                return;
            }
            try
            {
                var folder = _catalog.FolderOf(name);
                if (!models.ContainsKey(name) && Directory.Exists(folder))
                {
                    models[name] = LoadModel(name, settings);
                    _logger.LogInformation("slot {Slot} loaded model {Model}", slot, name);
                }
            }
            catch (Exception e)
            {
                _logger.LogError("slot {Slot} could not load model {Model}: {Error}", slot, name, e.Message);
                Interlocked.CompareExchange(ref _preloadFailure, e, null);
            }
        }
    }

    /// <summary>Loads a model's sessions, and on a simulated slot its timing profile (which may lower the batch size).</summary>
    private DiffusionModel LoadModel(string name, OnnxRuntimeSettings settings)
    {
        var folder = _catalog.FolderOf(name);
        if (_simulated)
        {
            var profile = AcceleratorProfile.Load(folder);
            profile = _options.SimulatedTimeScale is { } scale ? profile with { TimeScale = scale } : profile;
            lock (_simulators)
            {
                _simulators[name] = new SimulatedAccelerator(profile);
                _maxBatch = Math.Min(_maxBatch, profile.MaxBatch);
            }
        }
        return DiffusionModel.Load(folder, settings);
    }

    private SimulatedAccelerator? SimulatorOf(string model)
    {
        if (!_simulated)
        {
            return null;
        }
        lock (_simulators)
        {
            return _simulators[model];
        }
    }
}
