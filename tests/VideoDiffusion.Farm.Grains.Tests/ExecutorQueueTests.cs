using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Diffusion.Text;
using VideoDiffusion.Farm.Grains.Execution;

namespace VideoDiffusion.Farm.Grains.Tests;

/// <summary>The executor's queue: priorities first, then tenants share slots fairly, each tenant's items in arrival order.</summary>
public sealed class ExecutorQueueTests
{
    private static FunctionItem<int> Item(string tenant, int priority = 0, bool urgent = false) =>
        new("moonwalk-tiny", _ => 0, CancellationToken.None) { Tenant = tenant, Priority = priority, Urgent = urgent };

    private static List<string> TakeAll(ExecutorQueue queue, Dictionary<WorkItem, string> names)
    {
        var taken = new List<string>();
        while (queue.Count > 0)
        {
            taken.AddRange(queue.TakeBatch(8, TimeSpan.Zero, TimeSpan.Zero, CancellationToken.None).Select(i => names[i]));
        }
        return taken;
    }

    [Fact]
    public void ASecondTenantsWorkInterleavesWithAFirstTenantsBacklogOfTheSamePriority()
    {
        var queue = new ExecutorQueue();
        var names = new Dictionary<WorkItem, string>();
        foreach (var (tenant, n) in Enumerable.Range(0, 12).Select(i => ("a", i)).Concat(Enumerable.Range(0, 3).Select(i => ("b", i))))
        {
            var item = Item(tenant);
            names[item] = $"{tenant}{n}";
            _ = queue.Enqueue(item);
        }
        var taken = TakeAll(queue, names);
        Assert.Equal(["a0", "b0", "a1", "b1", "a2", "b2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11"], taken);
    }

    [Fact]
    public void HigherPrioritiesStillComeFirstAndATenantThatWasIdleDoesNotGetCreditForIt()
    {
        var queue = new ExecutorQueue();
        var names = new Dictionary<WorkItem, string>();
        void Add(string name, string tenant, int priority = 0)
        {
            var item = Item(tenant, priority);
            names[item] = name;
            _ = queue.Enqueue(item);
        }
        Add("a0", "a");
        Add("a1", "a");
        Assert.Equal(["a0"], queue.TakeBatch(8, TimeSpan.Zero, TimeSpan.Zero, CancellationToken.None).Select(i => names[i]));
        Add("a2", "a");
        Add("b0", "b");
        Add("b1", "b");
        Add("c-urgent", "c", priority: 5);
        // b was idle while a0 ran: it starts at the current virtual time (a0's), so it takes the next turn and then
        // alternates with a; it gets no burst for the time it was idle
        Assert.Equal(["c-urgent", "b0", "a1", "b1", "a2"], TakeAll(queue, names));
    }

    [Fact]
    public void AKeyframeStepGoesAheadOfQueuedStepsOfItsPriorityButNotOfAHigherPriority()
    {
        var queue = new ExecutorQueue();
        var names = new Dictionary<WorkItem, string>();
        void Add(string name, string tenant, int priority = 0, bool urgent = false)
        {
            var item = Item(tenant, priority, urgent);
            names[item] = name;
            _ = queue.Enqueue(item);
        }
        Add("a-main0", "a");
        Add("a-main1", "a");
        Add("b-main0", "b");
        Add("high", "c", priority: 1);
        Add("a-key", "a", urgent: true);
        Assert.Equal(["high", "a-key", "a-main0", "b-main0", "a-main1"], TakeAll(queue, names));
    }

    [Fact]
    public void AnUrgentStepRidesOnlyWithUrgentStepsAndTheRestStillBatchTogether()
    {
        var text = new TextConditioning(new float[4 * 8], 4, 8);
        DenoiseItem Step(bool urgent) =>
            new("moonwalk-tiny", new WindowStepInput(new LatentTensor(4, 2, 2, 2), 0.5f, text, text, new GuidanceScale(4f, 0f)), CancellationToken.None) { Urgent = urgent };
        var queue = new ExecutorQueue();
        var names = new Dictionary<WorkItem, string>();
        void Add(string name, bool urgent)
        {
            var item = Step(urgent);
            names[item] = name;
            _ = queue.Enqueue(item);
        }
        Add("main0", false);
        Add("key0", true);
        Add("main1", false);
        Add("key1", true);
        Add("main2", false);
        List<string> Take() => queue.TakeBatch(8, TimeSpan.Zero, TimeSpan.Zero, CancellationToken.None).Select(i => names[i]).ToList();
        Assert.Equal(["key0", "key1"], Take());
        Assert.Equal(["main0", "main1", "main2"], Take());
        // an urgent step that arrives behind ordinary ones still goes first, alone
        Add("main3", false);
        Add("main4", false);
        Add("key2", true);
        Assert.Equal(["key2"], Take());
        Assert.Equal(["main3", "main4"], Take());
    }

    [Fact]
    public async Task ASlotHeldForTheCriticalPathTakesItsNextStepBeforeOtherWorkThatCameFirst()
    {
        var queue = new ExecutorQueue();
        var names = new Dictionary<WorkItem, string>();
        var main = Item("a");
        names[main] = "main";
        _ = queue.Enqueue(main);
        var urgent = Item("a", urgent: true);
        names[urgent] = "chain";
        // the chain's next step arrives 50 ms after the main-pass step, within the slot's hold
        var arrives = Task.Run(async () =>
        {
            await Task.Delay(50);
            _ = queue.Enqueue(urgent);
        });
        var taken = queue.TakeBatch(8, TimeSpan.Zero, TimeSpan.FromSeconds(5), CancellationToken.None).Select(i => names[i]).ToList();
        await arrives;
        Assert.Equal(["chain"], taken);
        Assert.Equal(["main"], TakeAll(queue, names));
    }

    [Fact]
    public void AHoldThatNoUrgentStepEndsLetsOtherWorkThroughAfterIt()
    {
        var queue = new ExecutorQueue();
        var names = new Dictionary<WorkItem, string>();
        var main = Item("a");
        names[main] = "main";
        _ = queue.Enqueue(main);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(["main"], queue.TakeBatch(8, TimeSpan.Zero, TimeSpan.FromMilliseconds(100), CancellationToken.None).Select(i => names[i]));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(90), $"taken after {clock.Elapsed.TotalMilliseconds} ms");
    }
}
