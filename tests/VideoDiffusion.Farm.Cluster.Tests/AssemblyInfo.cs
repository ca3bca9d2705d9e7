// each cluster fixture uses both cores and its own processes; collections run one after another
[assembly: CollectionBehavior(DisableTestParallelization = true)]
