using Orleans.Concurrency;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>Lists the models in this silo's model folder, with the defaults a client needs to fill a request.</summary>
[StatelessWorker]
public sealed class ModelDirectoryGrain(ModelCatalog catalog) : Grain, IModelDirectoryGrain
{
    public Task<IReadOnlyList<ModelInfo>> List()
    {
        var models = new List<ModelInfo>();
        foreach (var name in catalog.Available())
        {
            try
            {
                var m = catalog.Manifest(name);
                models.Add(new ModelInfo(name, m.Video.Fps, m.Video.Width, m.Video.Height, m.Window.Native,
                    m.Window.Native / 4, m.Sampler.DefaultSteps, m.Guidance.Default, m.Synthetic,
                    m.Files.FirstFrame is not null));
            }
            catch (ModelLoadException)
            {
                // a broken folder is not a model; its error shows when a job asks for it by name
            }
        }
        return Task.FromResult<IReadOnlyList<ModelInfo>>(models);
    }
}
