// each test cluster uses both cores; clusters running side by side would only slow each other down
[assembly: CollectionBehavior(DisableTestParallelization = true)]
