namespace VideoDiffusion.Farm.Cluster.Tests;

/// <summary>All cluster tests share one set of processes and run one after another (they kill and restart parts of it).</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<FarmCluster>
{
    public const string Name = "cluster";
}
