using System.Diagnostics;
using VideoDiffusion.Farm.Diffusion.Denoising;
using VideoDiffusion.Farm.Diffusion.Models;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>One request waiting in a <see cref="DenoiseExecutor"/>'s queue: which model, its priority, how it ends.</summary>
internal abstract class WorkItem(string model, CancellationToken cancellation)
{
    public string Model { get; } = model;
    public CancellationToken Cancellation { get; } = cancellation;

    public int Priority { get; init; }

    /// <summary>
    /// A step of a window other passes wait for (a keyframe pass): it goes ahead of the other items of its priority,
    /// so a job's critical path is not queued behind the work that follows it.
    /// </summary>
    public bool Urgent { get; init; }

    /// <summary>Whose work this is: within a priority, tenants share the slots fairly (see <see cref="ExecutorQueue"/>).</summary>
    public string Tenant { get; init; } = "";

    /// <summary>The item's start tag in the queue's fair-queueing virtual time; set when it is queued.</summary>
    public double FairTag { get; set; }

    /// <summary>The span of the window pass that asked for this step (a batch's span links to it).</summary>
    public ActivityContext Parent { get; init; }
    public CancellationTokenRegistration Registration { get; set; }

    public abstract void Fail(Exception e);

    public abstract void RunAlone(DiffusionModel model);
}

/// <summary>A queued request whose caller awaits a result of type <typeparamref name="T"/>.</summary>
internal abstract class WorkItem<T>(string model, CancellationToken cancellation) : WorkItem(model, cancellation)
{
    // continuations go back to the grain scheduler, never run inline on the slot thread
    public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override void Fail(Exception e) => Completion.TrySetException(e);
}

/// <summary>One window-step: batched with others of the same model and shape into one denoiser call.</summary>
internal sealed class DenoiseItem(string model, WindowStepInput input, CancellationToken cancellation) : WorkItem<LatentTensor>(model, cancellation)
{
    public WindowStepInput Input { get; } = input;

    public override void RunAlone(DiffusionModel model) => Completion.TrySetResult(model.Denoiser.Predict([Input])[0]);
}

/// <summary>Other model work (text encoding, decoding, the first frame), run alone on a slot.</summary>
internal sealed class FunctionItem<T>(string model, Func<DiffusionModel, T> work, CancellationToken cancellation) : WorkItem<T>(model, cancellation)
{
    public override void RunAlone(DiffusionModel model) => Completion.TrySetResult(work(model));
}
