using System.Diagnostics;
using System.Diagnostics.Metrics;
using VideoDiffusion.Farm.Abstractions.Telemetry;
using VideoDiffusion.Farm.Grains.Telemetry.Gpu;

namespace VideoDiffusion.Farm.Grains.Telemetry;

/// <summary>
/// The farm's instruments on the meter <c>VideoDiffusion.Farm</c> and its spans on the activity source of the same name,
/// exported by whatever pipeline the host configures. Names follow OpenTelemetry conventions (UCUM units); the
/// Prometheus names they become are listed in docs/observability.md. Gauges read the live executors and job grains of
/// this process (<see cref="FarmGauges"/>).
/// </summary>
public static class FarmMetrics
{
    private static readonly Meter Meter = new(FarmTelemetryNames.Meter);

    /// <summary>Spans: one per job, per window pass, per executor batch.</summary>
    public static readonly ActivitySource Activities = new(FarmTelemetryNames.ActivitySource);

    /// <summary>Time a slot spends inside inference calls: the accelerator-busy signal on every execution provider.</summary>
    public static readonly Counter<double> AcceleratorBusy = Meter.CreateCounter<double>("farm.accelerator.busy", "s",
        "Time accelerator slots spent inside inference calls");

    /// <summary>Window-steps per denoiser call.</summary>
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram("farm.executor.batch.size", "{window_step}",
        "Window-steps carried by one denoiser call", advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64] });

    /// <summary>Length of one inference call (denoiser batch, text encoding, decoding).</summary>
    public static readonly Histogram<double> CallDuration = Meter.CreateHistogram("farm.executor.call.duration", "s",
        "Length of one inference call on an accelerator slot",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>Window-steps denoised.</summary>
    public static readonly Counter<long> WindowSteps = Meter.CreateCounter<long>("farm.window_steps", "{window_step}",
        "Window-steps denoised (one window advanced by one sampler step)");

    /// <summary>Jobs that reached a final state.</summary>
    public static readonly Counter<long> JobsFinished = Meter.CreateCounter<long>("farm.jobs.finished", "{job}",
        "Jobs that reached a final state (completed, failed, cancelled)");

    /// <summary>Submission to final state.</summary>
    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram("farm.job.duration", "s",
        "Time from submission to a final state",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200] });

    /// <summary>Submission to the job's first window-step.</summary>
    public static readonly Histogram<double> JobQueueWait = Meter.CreateHistogram("farm.job.queue_wait", "s",
        "Time from submission to the job's first window-step",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900] });

    /// <summary>Video frames of completed jobs.</summary>
    public static readonly Counter<long> JobFrames = Meter.CreateCounter<long>("farm.job.frames", "{frame}",
        "Video frames delivered by completed jobs");

    /// <summary>Seam ratio of each completed job: frame change across window switches ÷ elsewhere (1 = seamless).</summary>
    public static readonly Histogram<double> JobSeamRatio = Meter.CreateHistogram<double>("farm.job.seam_ratio", null,
        "Seam ratio of completed jobs: frame change across window switches over frame change elsewhere (1 = seamless)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.9, 1, 1.05, 1.1, 1.2, 1.35, 1.5, 2, 3, 5] });

    /// <summary>Windows that resumed from a stored checkpoint (after their silo was lost).</summary>
    public static readonly Counter<long> WindowResumes = Meter.CreateCounter<long>("farm.window.resumes", "{window}",
        "Windows that resumed from a stored checkpoint");

    /// <summary>Window-steps computed a second time: steps a window had passed before it resumed from an older checkpoint.</summary>
    public static readonly Counter<long> RecomputedSteps = Meter.CreateCounter<long>("farm.window.recomputed_steps", "{window_step}",
        "Window-steps computed again after a window resumed from a checkpoint older than the step it had reached");

    /// <summary>Windows that arrived from another silo at a step boundary (rebalancing, or a stopping silo handing over).</summary>
    public static readonly Counter<long> WindowMoves = Meter.CreateCounter<long>("farm.window.moves", "{window}",
        "Windows that arrived from another silo at a step boundary, with their latents and edge logs");

    /// <summary>Overlap messages sent between neighbouring windows.</summary>
    public static readonly Counter<long> EdgesSent = Meter.CreateCounter<long>("farm.window.edges_sent", "{edge}",
        "Overlap frames messages sent between neighbouring windows");

    /// <summary>Edges a window asked its neighbour for after waiting too long for the push (a push lost with a silo).</summary>
    public static readonly Counter<long> EdgePulls = Meter.CreateCounter<long>("farm.window.edge_pulls", "{edge}",
        "Edges a window pulled from its neighbour after the push did not come");

    /// <summary>Window checkpoints written.</summary>
    public static readonly Counter<long> Checkpoints = Meter.CreateCounter<long>("farm.window.checkpoints", "{checkpoint}",
        "Window latent checkpoints written to the artifact store");

    public static readonly Counter<long> PromptEncodings = Meter.CreateCounter<long>("farm.prompt.encodings", "{prompt}",
        "Prompts run through a text encoder while planning jobs (kind: prompt, or the unconditional empty prompt)");

    public static readonly Counter<long> JobGrainCalls = Meter.CreateCounter<long>("farm.job_grain.calls", "{call}",
        "Calls into job grains (submission, status, window reports, stitch reports)");

    static FarmMetrics()
    {
        Meter.CreateObservableGauge("farm.accelerator.utilization", FarmGauges.Utilisation, "1",
            "Busy share of each accelerator slot over the last 10 s");
        Meter.CreateObservableGauge("farm.accelerator.slots", FarmGauges.Slots, "{slot}", "Accelerator slots of each silo");
        Meter.CreateObservableGauge("farm.executor.queued", FarmGauges.Queued, "{window_step}",
            "Window-steps waiting in each silo's denoise executor");
        Meter.CreateObservableUpDownCounter("farm.jobs", FarmGauges.Jobs, "{job}", "Unfinished jobs by state (queued, running, stitching)");
        Meter.CreateObservableGauge("farm.job.progress", FarmGauges.JobProgress, "1", "Share of each running job's window-steps done");
        Meter.CreateObservableGauge("farm.job.eta", FarmGauges.JobEta, "s", "Estimated seconds until each running job's windows are done");
    }

    /// <summary>
    /// Starts the silo's counter series at 0, so Prometheus' <c>increase()</c> and <c>rate()</c> see a silo's first
    /// failed job, resume or pulled edge (a series that appears already at 1 has no earlier sample to grow from).
    /// </summary>
    public static void StartSeries(string silo, IEnumerable<string> models)
    {
        var siloTag = new TagList { { "silo", silo } };
        WindowResumes.Add(0, siloTag);
        EdgesSent.Add(0, siloTag);
        EdgePulls.Add(0, siloTag);
        Checkpoints.Add(0, siloTag);
        foreach (var model in models)
        {
            WindowSteps.Add(0, new TagList { { "silo", silo }, { "model", model } });
            JobFrames.Add(0, new TagList { { "model", model } });
            foreach (var state in new[] { "completed", "failed", "cancelled" })
            {
                JobsFinished.Add(0, new TagList { { "state", state }, { "model", model } });
            }
        }
    }

    private static int _gpuInstruments;

    /// <summary>The <c>hw.gpu.*</c> gauges over the latest NVML readings (created once per process, on machines with NVML).</summary>
    internal static void CreateGpuInstruments(Func<IReadOnlyList<GpuReading>> latest)
    {
        if (Interlocked.Exchange(ref _gpuInstruments, 1) == 1)
        {
            return;
        }
        Meter.CreateObservableGauge("hw.gpu.utilization", () => GpuTelemetry.Measure(latest(), r => r.Utilization), "1",
            "Share of time the GPU was busy (NVML)");
        Meter.CreateObservableUpDownCounter("hw.gpu.memory.usage", () => GpuTelemetry.Measure(latest(), r => r.MemoryUsedBytes), "By",
            "GPU memory in use (NVML)");
        Meter.CreateObservableUpDownCounter("hw.gpu.memory.limit", () => GpuTelemetry.Measure(latest(), r => r.MemoryLimitBytes), "By",
            "GPU memory in total (NVML)");
    }

    /// <summary>Makes sure the observable instruments exist (the static constructor creates them once).</summary>
    public static void EnsureCreated()
    {
    }
}
