using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Grains.Telemetry;
using VideoDiffusion.Farm.Hosting.Embedded;

namespace VideoDiffusion.Farm.Cli.Benchmarks;

/// <summary>One configuration of <c>farm bench-scale</c>: silos at the start, silos added and when, concurrent jobs.</summary>
public sealed record ScaleRunOptions
{
    public required int Silos { get; init; }
    public int Jobs { get; init; } = 1;
    public int AddSilos { get; init; }

    /// <summary>Share of the first job's window-steps done when <see cref="AddSilos"/> silos join.</summary>
    public double AddAt { get; init; } = 0.25;
    public required double Seconds { get; init; }
    public required string ModelFolder { get; init; }
    public string ExecutionProvider { get; init; } = "simulated";
    public int? Steps { get; init; }
    public string Prompt { get; init; } = "a red ball moving right on the beach";
    public double? TimeScale { get; init; }
    public KeyframeAnchoring Anchors { get; init; } = KeyframeAnchoring.Auto;

    /// <summary>When set, every this many seconds a line per run on standard error with each silo's windows, queue and busy share.</summary>
    public double? TimelineSeconds { get; init; }
}

/// <summary>What one configuration measured.</summary>
public sealed record ScaleRunResult
{
    public required int Silos { get; init; }
    public required int SilosAtEnd { get; init; }
    public required int Jobs { get; init; }
    public required int WindowsPerJob { get; init; }
    public required long WindowSteps { get; init; }

    /// <summary>From the first submission until every job's final latents were stored (stitching is not part of it).</summary>
    public required double MakespanSeconds { get; init; }

    /// <summary>Accelerator busy time summed over slots, as the executors measure it (the <c>farm.accelerator.busy</c> meter).</summary>
    public required double BusySeconds { get; init; }

    /// <summary>Slot-seconds the farm had during the makespan (slots × time each was present).</summary>
    public required double SlotSeconds { get; init; }
    public required double MessagesPerWindowStep { get; init; }
    public required double JobGrainCallsPerJob { get; init; }
    public required long PeakWorkingSetBytes { get; init; }
    public required long WindowMoves { get; init; }
    public required long RecomputedSteps { get; init; }
    public required bool Simulated { get; init; }

    /// <summary>
    /// Wall seconds of the job's critical path (<see cref="JobPlanner.CriticalPathWindowSteps"/>) at one simulated
    /// window-step per call: no number of silos finishes the job sooner.
    /// </summary>
    public double CriticalPathSeconds { get; init; }

    /// <summary>Busy time ÷ starting slots: the makespan if the work were spread perfectly and nothing else took time.</summary>
    public double IdealSeconds => BusySeconds / Silos;
    public double Efficiency => IdealSeconds / MakespanSeconds;
    public double Utilisation => BusySeconds / SlotSeconds;
}

/// <summary>
/// Runs one <see cref="ScaleRunOptions"/> configuration on an embedded farm in this process and returns once every job's
/// latents are final. The farm is left running (its stitchers still at work): the caller is a process of its own, one
/// per configuration so each has its own peak memory, and exits.
/// </summary>
public static class ScaleRun
{
    public static async Task<ScaleRunResult> RunAsync(ScaleRunOptions options, CancellationToken cancellation)
    {
        var farm = await EmbeddedFarm.StartAsync(new EmbeddedFarmOptions
        {
            Silos = options.Silos,
            SlotsPerSilo = 1,
            ThreadsPerSlot = 1,
            ModelsRoot = Path.GetDirectoryName(options.ModelFolder)!,
            PreloadModels = [Path.GetFileName(options.ModelFolder)],
            ExecutionProvider = options.ExecutionProvider,
            SimulatedTimeScale = options.TimeScale,
        }, cancellation);
        using var messages = new OrleansMessageCounter();
        using var jobCalls = new FarmCounter(FarmCounter.JobGrainCalls);
        using var moves = new FarmCounter(FarmCounter.WindowMoves);
        using var recomputed = new FarmCounter(FarmCounter.RecomputedSteps);
        var busyBefore = Busy(farm);
        var stepsBefore = WindowSteps(farm);
        var clock = Stopwatch.StartNew();
        var request = RequestOf(options);
        var jobs = Enumerable.Range(0, options.Jobs).Select(_ => farm.Client.GetGrain<IRenderJobGrain>(Guid.NewGuid().ToString("N"))).ToList();
        var submitted = DateTimeOffset.UtcNow;
        var statuses = await Task.WhenAll(jobs.Select((job, i) => job.Submit(request with { Seed = (ulong)(100 + i) })));
        var polls = 0;
        double? addedAt = null;
        var timeline = options.TimelineSeconds is { } every ? new ScaleTimeline(farm, every, Console.Error) : null;
        while (statuses.Any(s => s.DenoisedAt is null))
        {
            timeline?.Tick(clock.Elapsed.TotalSeconds, statuses[0].Progress);
            if (statuses.FirstOrDefault(s => s.IsFinished && s.DenoisedAt is null) is { } failed)
            {
                throw new InvalidOperationException($"job {failed.JobId} ended {failed.State}: {failed.Error}");
            }
            if (options.AddSilos > 0 && addedAt is null && statuses[0].Progress >= options.AddAt)
            {
                addedAt = clock.Elapsed.TotalSeconds;
                await farm.AddSilosAsync(options.AddSilos, cancellation);
            }
            await Task.Delay(100, cancellation);
            statuses = await Task.WhenAll(jobs.Select(job => job.GetStatus()));
            polls += jobs.Count;
        }
        var makespan = (statuses.Max(s => s.DenoisedAt!.Value) - submitted).TotalSeconds;
        var windowSteps = WindowSteps(farm) - stepsBefore;
        var silosAtEnd = farm.SiloServices.Count;
        var slotSeconds = options.Silos * makespan + (addedAt is { } t ? options.AddSilos * Math.Max(0, makespan - t) : 0);
        var result = new ScaleRunResult
        {
            Silos = options.Silos,
            SilosAtEnd = silosAtEnd,
            Jobs = options.Jobs,
            WindowsPerJob = statuses[0].WindowsTotal,
            WindowSteps = windowSteps,
            MakespanSeconds = makespan,
            BusySeconds = Busy(farm) - busyBefore,
            SlotSeconds = slotSeconds,
            MessagesPerWindowStep = (double)messages.Total / Math.Max(1, windowSteps),
            JobGrainCallsPerJob = (double)(jobCalls.Total - polls) / options.Jobs,
            PeakWorkingSetBytes = Process.GetCurrentProcess().PeakWorkingSet64,
            WindowMoves = moves.Total,
            RecomputedSteps = recomputed.Total,
            Simulated = statuses[0].Simulated,
            CriticalPathSeconds = statuses[0].Simulated ? CriticalPathOf(request, options) : 0,
        };
        // the run measures denoising; the jobs' stitching stops here, and every slot leaves the call it is in, so the
        // process can exit without stopping its silos one by one and without leaving ONNX Runtime mid-call
        await Task.WhenAll(jobs.Select(job => job.Cancel()));
        foreach (var silo in farm.SiloServices)
        {
            silo.GetRequiredService<DenoiseExecutor>().Dispose();
        }
        return result;
    }

    /// <summary>
    /// Refuses a configuration before any silo starts, as a render would: the job's settings against the model
    /// (<see cref="PlanException"/>), a model that does not load or, on simulated accelerators, has no timing profile
    /// (<see cref="ModelLoadException"/>).
    /// </summary>
    public static void Validate(ScaleRunOptions options)
    {
        RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(RequestOf(options)), ModelManifestLoader.Load(options.ModelFolder));
        if (SimulatedAccelerator.IsSelected(options.ExecutionProvider))
        {
            AcceleratorProfile.Load(options.ModelFolder);
        }
    }

    /// <summary>The job every run submits (each of several concurrent jobs with a seed of its own).</summary>
    private static RenderJobRequest RequestOf(ScaleRunOptions options) => new()
    {
        Prompt = options.Prompt, Seconds = options.Seconds, Steps = options.Steps, Model = Path.GetFileName(options.ModelFolder), Scale = 1,
        Anchors = options.Anchors,
    };

    private static double CriticalPathOf(RenderJobRequest request, ScaleRunOptions options)
    {
        var spec = RenderJobSpec.Resolve(JobRequestMapper.ToRenderRequest(request), ModelManifestLoader.Load(options.ModelFolder));
        var profile = AcceleratorProfile.Load(options.ModelFolder);
        return JobPlanner.CriticalPathWindowSteps(spec) * profile.CallSeconds(1) * (options.TimeScale ?? profile.TimeScale);
    }

    private static double Busy(EmbeddedFarm farm) =>
        farm.SiloServices.Sum(s => s.GetRequiredService<DenoiseExecutor>().Statistics().BusyTime.TotalSeconds);

    private static long WindowSteps(EmbeddedFarm farm) =>
        farm.SiloServices.Sum(s => s.GetRequiredService<DenoiseExecutor>().Statistics().WindowSteps);

    /// <summary>Messages the silos of this process sent to each other and to themselves (Orleans' messaging meters).</summary>
    private sealed class OrleansMessageCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public OrleansMessageCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Microsoft.Orleans" && instrument.Name is "orleans-messaging-sent-messages-size" or "orleans-messaging-sent-local")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            // the size histogram records one measurement per remote message; the local counter adds the local ones
            _listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => Interlocked.Add(ref _total, instrument.Name.EndsWith("-size", StringComparison.Ordinal) ? 1 : value));
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Interlocked.Add(ref _total, instrument.Name.EndsWith("-size", StringComparison.Ordinal) ? 1 : value));
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
