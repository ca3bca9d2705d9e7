using VideoDiffusion.Farm.Artifacts.FileSystem;
using VideoDiffusion.Farm.Grains.Jobs;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>Silos of one process on one store share one plan cache; silos on different stores do not.</summary>
public sealed class JobPlansTests
{
    [Fact]
    public void SilosOnOneStoreShareTheirPlansAndOnlyThey()
    {
        var root = Directory.CreateTempSubdirectory("farm-plans-").FullName;
        try
        {
            var store = new FileSystemArtifactStore(root);
            var other = new FileSystemArtifactStore(root);
            Assert.Same(JobPlans.For(store), JobPlans.For(store));
            Assert.NotSame(JobPlans.For(store), JobPlans.For(other));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
