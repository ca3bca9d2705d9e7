using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Onnx;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Grains.Telemetry;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>
/// The silo's inference service (not a grain) and the only place the farm runs ONNX Runtime. One dedicated thread per
/// accelerator slot, each with its own sessions, so inference never runs on the Orleans scheduler. Window-steps
/// waiting for the same model and shape are batched into one denoiser call, across windows and jobs. It measures what
/// the accelerator does: busy time per slot (<see cref="SlotUsage"/>), batch sizes, call lengths, queued window-steps,
/// and a span per batch linked to the window passes whose steps it carries.
/// </summary>
public sealed partial class DenoiseExecutor : IDisposable
{
    private readonly AcceleratorOptions _options;
    private readonly ModelCatalog _catalog;
    private readonly ILogger<DenoiseExecutor> _logger;
    private readonly ExecutorQueue _queue = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly List<Thread> _threads = [];
    private readonly Stopwatch _uptime = Stopwatch.StartNew();
    private readonly Timer _sampler;
    private readonly TaskCompletionSource _modelsLoaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _simulated;
    private readonly Dictionary<string, SimulatedAccelerator> _simulators = [];
    private int _maxBatch;
    private int _slotsPreloading;
    private Exception? _preloadFailure;
    private long _windowSteps, _calls;

    /// <param name="silo">The silo's name, the <c>silo</c> tag of every measurement.</param>
    public DenoiseExecutor(IOptions<AcceleratorOptions> options, ModelCatalog catalog, ILogger<DenoiseExecutor> logger, string silo = "local")
    {
        _options = options.Value;
        _catalog = catalog;
        _logger = logger;
        Silo = silo;
        _simulated = SimulatedAccelerator.IsSelected(_options.ExecutionProvider);
        _maxBatch = _options.MaxBatch;
        Usage = Enumerable.Range(0, _options.Slots).Select(slot => new SlotUsage(slot)).ToList();
        FarmMetrics.EnsureCreated();
        FarmGauges.Register(this);
        _sampler = new Timer(_ => SampleUsage(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _slotsPreloading = _options.Slots;
        if (_options.Slots == 0)
        {
            _modelsLoaded.TrySetResult();
        }
        for (var slot = 0; slot < _options.Slots; slot++)
        {
            var thread = new Thread(SlotLoop) { IsBackground = true, Name = $"accelerator-slot-{slot}" };
            _threads.Add(thread);
            thread.Start(slot);
        }
    }

    public int Slots => _options.Slots;

    /// <summary>Whether the slots are simulated accelerators (<see cref="SimulatedAccelerator"/>).</summary>
    public bool Simulated => _simulated;

    public string Silo { get; }

    /// <summary>Busy time and its recent history, per slot.</summary>
    public IReadOnlyList<SlotUsage> Usage { get; }

    /// <summary>
    /// Completes when every slot has loaded the silo's models on its execution provider; faults with the first load
    /// error (a missing or broken ONNX file, an execution provider this machine lacks). A silo is ready only after it.
    /// </summary>
    public Task ModelsLoaded => _modelsLoaded.Task;

    /// <summary>Denoise requests (window-steps) waiting for a slot.</summary>
    public int QueuedWindowSteps => _queue.QueuedWindowSteps;

    public ExecutorStatistics Statistics()
    {
        return new ExecutorStatistics(_options.Slots, _queue.Count, Interlocked.Read(ref _windowSteps), Interlocked.Read(ref _calls),
            _queue.Cancelled, Usage.Aggregate(TimeSpan.Zero, (sum, u) => sum + u.Busy), _uptime.Elapsed);
    }

    private void SampleUsage()
    {
        foreach (var usage in Usage)
        {
            usage.Sample();
        }
    }

    /// <summary>A guided velocity for one window-step, batched with others of the same model and shape.</summary>
    /// <param name="priority">Higher runs first (a job's priority).</param>
    /// <param name="tenant">Within a priority, tenants share the slots fairly; one tenant's steps run in arrival order.</param>
    /// <param name="urgent">A step other passes wait for, ahead of the rest of its priority.</param>
    public Task<LatentTensor> DenoiseAsync(string model, WindowStepInput input, CancellationToken cancellation, int priority = 0, string tenant = "", bool urgent = false) =>
        Enqueue(new DenoiseItem(model, input, cancellation) { Priority = priority, Tenant = tenant, Urgent = urgent, Parent = Activity.Current?.Context ?? default });

    /// <summary>Other model work (text encoding, VAE decoding) on a slot thread.</summary>
    public Task<T> RunAsync<T>(string model, Func<DiffusionModel, T> work, CancellationToken cancellation, int priority = 0) =>
        Enqueue(new FunctionItem<T>(model, work, cancellation) { Priority = priority });

    private Task<T> Enqueue<T>(WorkItem<T> item) => _options.Slots == 0
        ? throw new InvalidOperationException("this silo has no accelerator slots")
        : _queue.Enqueue(item);

    private void SlotLoop(object? state)
    {
        var slot = (int)state!;
        var models = new Dictionary<string, DiffusionModel>();
        // a simulated slot still runs the model's small parts (text, decoder) for real, on the CPU
        var provider = _simulated ? "cpu" : _options.ExecutionProvider;
        var settings = new OnnxRuntimeSettings { IntraOpThreads = _options.ThreadsPerSlot, ExecutionProvider = provider, AllowSpinning = _options.AllowSpinning };
        try
        {
            Preload(slot, models, settings);
            var urgentHold = TimeSpan.Zero;
            while (!_shutdown.IsCancellationRequested)
            {
                var batch = _queue.TakeBatch(Volatile.Read(ref _maxBatch), _options.BatchLinger, urgentHold, _shutdown.Token);
                urgentHold = TimeSpan.Zero;
                if (batch.Count == 0)
                {
                    continue;
                }
                try
                {
                    if (!models.TryGetValue(batch[0].Model, out var model))
                    {
                        model = LoadModel(batch[0].Model, settings);
                        models[batch[0].Model] = model;
                        _logger.LogInformation("slot {Slot} loaded model {Model}", slot, batch[0].Model);
                    }
                    var started = Stopwatch.GetTimestamp();
                    Execute(model, SimulatorOf(batch[0].Model), batch, slot);
                    if (batch[0].Urgent)
                    {
                        urgentHold = UrgentHoldAfter(Stopwatch.GetElapsedTime(started));
                    }
                }
                catch (Exception e)
                {
                    foreach (var item in batch)
                    {
                        item.Fail(e);
                    }
                }
            }
        }
        finally
        {
            foreach (var model in models.Values)
            {
                model.Dispose();
            }
        }
    }

    /// <summary>
    /// How long a slot that just ran a critical-path step keeps itself for the next one (<see cref="ExecutorQueue.TakeBatch"/>):
    /// a tenth of that call, at most 100 ms, so a slot loses little when the chain's next step is not coming (its window
    /// finished) and the chain never waits out another window's step.
    /// </summary>
    private static TimeSpan UrgentHoldAfter(TimeSpan call) => TimeSpan.FromTicks(Math.Min(call.Ticks / 10, TimeSpan.FromMilliseconds(100).Ticks));

    private void Execute(DiffusionModel model, SimulatedAccelerator? simulator, List<WorkItem> batch, int slot)
    {
        var usage = Usage[slot];
        var tags = new TagList { { "silo", Silo }, { "slot", usage.Slot.ToString(System.Globalization.CultureInfo.InvariantCulture) }, { "model", batch[0].Model } };
        if (batch[0] is DenoiseItem)
        {
            var items = batch.Cast<DenoiseItem>().ToList();
            var links = items.Where(i => i.Parent != default).Select(i => new ActivityLink(i.Parent)).ToList();
            using var activity = FarmMetrics.Activities.StartActivity("executor.batch", ActivityKind.Internal, parentContext: default, links: links);
            activity?.SetTag("farm.silo", Silo).SetTag("farm.slot", slot).SetTag("farm.model", batch[0].Model).SetTag("farm.batch.size", items.Count);
            usage.CallStarted();
            LatentTensor[] velocities;
            try
            {
                var inputs = items.Select(i => i.Input).ToList();
                velocities = simulator is null ? model.Denoiser.Predict(inputs) : simulator.Denoise(inputs);
            }
            finally
            {
                Record(usage.CallEnded(), tags, batch[0].Model);
            }
            Interlocked.Increment(ref _calls);
            Interlocked.Add(ref _windowSteps, items.Count);
            FarmMetrics.BatchSize.Record(items.Count, new TagList { { "silo", Silo }, { "model", batch[0].Model } });
            FarmMetrics.WindowSteps.Add(items.Count, new TagList { { "silo", Silo }, { "model", batch[0].Model } });
            for (var i = 0; i < items.Count; i++)
            {
                items[i].Completion.TrySetResult(velocities[i]);
            }
        }
        else
        {
            usage.CallStarted();
            try
            {
                simulator?.WaitOtherCall();
                batch[0].RunAlone(model);
            }
            finally
            {
                Record(usage.CallEnded(), tags, batch[0].Model);
            }
        }
    }

    private void Record(TimeSpan call, in TagList slotTags, string model)
    {
        FarmMetrics.AcceleratorBusy.Add(call.TotalSeconds, slotTags);
        FarmMetrics.CallDuration.Record(call.TotalSeconds, new TagList { { "silo", Silo }, { "model", model } });
    }

    public void Dispose()
    {
        FarmGauges.Unregister(this);
        _sampler.Dispose();
        _shutdown.Cancel();
        _queue.WakeAll();
        foreach (var thread in _threads)
        {
            // a slot finishes the call it is in (its sessions are disposed on its own thread); a process that exits while a
            // slot is inside ONNX Runtime crashes, so wait for as long as one call can take on a loaded machine
            thread.Join(TimeSpan.FromMinutes(2));
        }
        _queue.FailAll(new OperationCanceledException("the executor is shutting down"));
    }
}
