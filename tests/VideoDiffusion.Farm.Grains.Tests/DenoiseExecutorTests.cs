using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Noise;
using VideoDiffusion.Farm.Diffusion.Sampling;
using VideoDiffusion.Farm.Diffusion.Text;
using VideoDiffusion.Farm.Grains.Execution;

namespace VideoDiffusion.Farm.Grains.Tests;

public sealed class DenoiseExecutorTests : IDisposable
{
    private readonly DenoiseExecutor _executor;

    public DenoiseExecutorTests()
    {
        var options = Options.Create(new AcceleratorOptions { Slots = 1, ThreadsPerSlot = 1, MaxBatch = 8, ModelsRoot = RepositoryPaths.ModelsRoot });
        _executor = new DenoiseExecutor(options, new ModelCatalog(options), NullLogger<DenoiseExecutor>.Instance);
    }

    public void Dispose() => _executor.Dispose();

    private async Task<WindowStepInput> StepAsync(int frame)
    {
        var text = await _executor.RunAsync("moonwalk-tiny", m => m.TextEncoder.Encode("a red ball bouncing on the beach"), CancellationToken.None);
        var empty = await _executor.RunAsync("moonwalk-tiny", m => m.TextEncoder.Encode(""), CancellationToken.None);
        return new WindowStepInput(CounterNoise.Frames(1, frame, 16, 8, 8, 8), 0.7f, text, empty, new GuidanceScale(4f, 0f));
    }

    [Fact]
    public async Task ConcurrentWindowStepsAreBatchedAndEqualTheirUnbatchedResults()
    {
        var inputs = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => StepAsync(i * 12)));
        // one at a time
        var alone = new List<float[]>();
        foreach (var input in inputs)
        {
            alone.Add((await _executor.DenoiseAsync("moonwalk-tiny", input, CancellationToken.None)).Data);
        }
        var before = _executor.Statistics();
        var together = await Task.WhenAll(inputs.Select(i => _executor.DenoiseAsync("moonwalk-tiny", i, CancellationToken.None)));
        var after = _executor.Statistics();
        Assert.Equal(16, after.WindowSteps - before.WindowSteps);
        Assert.True(after.DenoiserCalls - before.DenoiserCalls < 16, "queued window-steps were not batched");
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(alone[i], together[i].Data);
        }
        Assert.True(after.BusyTime > TimeSpan.Zero);
    }

    [Fact]
    public async Task HigherPriorityWorkRunsFirstAndEqualPrioritiesKeepTheirOrder()
    {
        using var release = new ManualResetEventSlim();
        var order = new System.Collections.Concurrent.ConcurrentQueue<string>();
        // occupy the only slot so that everything after queues up
        var blocker = _executor.RunAsync("moonwalk-tiny", _ => release.Wait(TimeSpan.FromSeconds(30)), CancellationToken.None);
        await Task.Delay(100);
        var queued = new[] { ("low-1", 0), ("high-1", 5), ("low-2", 0), ("high-2", 5), ("urgent", 9) }
            .Select(w => _executor.RunAsync("moonwalk-tiny", _ => { order.Enqueue(w.Item1); return 0; }, CancellationToken.None, w.Item2))
            .ToList();
        release.Set();
        await blocker;
        await Task.WhenAll(queued);
        Assert.Equal(["urgent", "high-1", "high-2", "low-1", "low-2"], order.ToArray());
    }

    [Fact]
    public async Task CancelledStepsLeaveTheQueueWithoutRunning()
    {
        var input = await StepAsync(0);
        using var cts = new CancellationTokenSource();
        var before = _executor.Statistics();
        var tasks = Enumerable.Range(0, 64).Select(_ => _executor.DenoiseAsync("moonwalk-tiny", input, cts.Token)).ToList();
        cts.Cancel();
        foreach (var task in tasks)
        {
            try
            {
                await task;
            }
            catch (OperationCanceledException)
            {
            }
        }
        var after = _executor.Statistics();
        Assert.Equal(0, after.Queued);
        Assert.True(after.CancelledItems - before.CancelledItems > 0);
        Assert.True(after.WindowSteps - before.WindowSteps < 64);
    }

    [Fact]
    public void ASiloWithoutSlotsRefusesWork()
    {
        var options = Options.Create(new AcceleratorOptions { Slots = 0, ModelsRoot = RepositoryPaths.ModelsRoot });
        using var executor = new DenoiseExecutor(options, new ModelCatalog(options), NullLogger<DenoiseExecutor>.Instance);
        Assert.Throws<InvalidOperationException>(() => { _ = executor.RunAsync("moonwalk-tiny", m => 0, CancellationToken.None); });
    }

    [Fact]
    public void UnknownModelNamesAreRefused()
    {
        var catalog = new ModelCatalog(Options.Create(new AcceleratorOptions { ModelsRoot = RepositoryPaths.ModelsRoot }));
        Assert.Throws<Diffusion.Models.ModelLoadException>(() => catalog.Manifest("../etc"));
        Assert.Throws<Diffusion.Models.ModelLoadException>(() => catalog.Manifest("no-such-model"));
        Assert.Contains("moonwalk-tiny", catalog.Available());
    }
}
