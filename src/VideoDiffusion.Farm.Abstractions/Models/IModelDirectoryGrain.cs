namespace VideoDiffusion.Farm.Abstractions;

/// <summary>Lists the models the silos serve (a stateless worker on any silo).</summary>
public interface IModelDirectoryGrain : IGrainWithIntegerKey
{
    Task<IReadOnlyList<ModelInfo>> List();
}
