using System.Text.Json;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Grains.Windows;
using VideoDiffusion.Farm.Artifacts;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Storage;

/// <summary>Where a job's plan, window checkpoints, final latents and video live in the artifact store.</summary>
public sealed class JobArtifacts(IArtifactStore store)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Converters = { new FloatArrayJsonConverter() } };

    public IArtifactStore Store => store;

    public static string PlanKey(string jobId) => $"jobs/{jobId}/plan.json";

    public static string WindowPrefix(WindowKey w) => $"jobs/{w.JobId}/{w.Pass}/{w.Index}";

    public static string CheckpointKey(WindowKey w, int step) => $"{WindowPrefix(w)}/checkpoint-{step}.bin";

    public static string FinalKey(WindowKey w) => $"{WindowPrefix(w)}/final.bin";

    /// <summary>A window's state as it left a silo at a step boundary (see <c>WindowHandOver</c>), until its next activation takes it.</summary>
    public static string HandOverKey(WindowKey w) => $"{WindowPrefix(w)}/handover.bin";

    public static string VideoKey(string jobId, string format) => ArtifactKey.Video(jobId, format);

    /// <summary>A marker stored when a job is cancelled or fails: any window or stitcher of the job that (re)starts stops at once.</summary>
    public static string StoppedKey(string jobId) => $"jobs/{jobId}/stopped";

    /// <summary>Records that the job was cancelled or failed (its final state, as text).</summary>
    public async Task MarkStoppedAsync(string jobId, JobState final, CancellationToken cancellation = default)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(final.ToString()));
        await store.PutAsync(StoppedKey(jobId), stream, cancellation);
    }

    public Task<bool> IsStoppedAsync(string jobId, CancellationToken cancellation = default) => store.ExistsAsync(StoppedKey(jobId), cancellation);

    /// <summary>
    /// When the job was cancelled or failed, cancels <paramref name="stop"/> (the caller's own cancellation source, so
    /// the caller ends as if cancelled) and throws; otherwise returns.
    /// </summary>
    public async Task ThrowIfStoppedAsync(string jobId, CancellationTokenSource stop, CancellationToken cancellation)
    {
        if (await IsStoppedAsync(jobId, cancellation))
        {
            await stop.CancelAsync();
            throw new OperationCanceledException($"job {jobId} was cancelled or failed", stop.Token);
        }
    }

    /// <summary>
    /// Deletes the job's window checkpoints and hand-overs (once its video exists they are never read again) and, with
    /// <paramref name="finals"/>, its windows' final latents too (a stopped job is never stitched).
    /// </summary>
    public async Task DeleteWindowLatentsAsync(string jobId, bool finals, CancellationToken cancellation = default)
    {
        foreach (var key in await store.ListAsync($"jobs/{jobId}/", cancellation))
        {
            var name = key[(key.LastIndexOf('/') + 1)..];
            if (name.StartsWith("checkpoint-", StringComparison.Ordinal) || name == "handover.bin" || (finals && name == "final.bin"))
            {
                await store.DeleteAsync(key, cancellation);
            }
        }
    }

    /// <summary>Deletes everything stored for the job: plan, latents, video, stop marker.</summary>
    public async Task DeleteJobAsync(string jobId, CancellationToken cancellation = default)
    {
        foreach (var key in await store.ListAsync($"jobs/{jobId}/", cancellation))
        {
            await store.DeleteAsync(key, cancellation);
        }
    }

    public async Task SavePlanAsync(string jobId, PlannedJob plan, CancellationToken cancellation = default)
    {
        using var stream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(plan, Json));
        await store.PutAsync(PlanKey(jobId), stream, cancellation);
    }

    public async Task<PlannedJob> LoadPlanAsync(string jobId)
    {
        await using var stream = await store.OpenAsync(PlanKey(jobId))
                                 ?? throw new InvalidOperationException($"job {jobId} has no stored plan");
        return await JsonSerializer.DeserializeAsync<PlannedJob>(stream, Json)
               ?? throw new InvalidOperationException($"job {jobId}: empty plan");
    }

    /// <summary>The frames of finished windows' final latents a window starts with (<see cref="JobPlan.ContextOf"/>), read alone; null while one of those windows has none.</summary>
    public async Task<Dictionary<(WindowRef Window, int Frame), float[]>?> TryLoadFinalFramesAsync(string jobId, IEnumerable<ContextFrame> context, CancellationToken cancellation)
    {
        var frames = new Dictionary<(WindowRef Window, int Frame), float[]>();
        foreach (var window in context.GroupBy(c => c.From))
        {
            var key = FinalKey(WindowKeys.Of(jobId, window.Key));
            await using var stream = await store.OpenAsync(key, cancellation);
            if (stream is null)
            {
                return null;
            }
            var wanted = window.Select(c => c.FromFrame).Distinct().ToList();
            var read = await StoredLatents.ReadFramesAsync(stream, key, wanted, cancellation);
            for (var i = 0; i < wanted.Count; i++)
            {
                frames[(window.Key, wanted[i])] = read[i];
            }
        }
        return frames;
    }

    /// <summary>Stores latents in their stored form (<see cref="StoredLatents"/>).</summary>
    public async Task SaveLatentsAsync(string key, LatentTensor latents, int step, CancellationToken cancellation = default)
    {
        await using var stream = StoredLatents.Writer(latents, step);
        await store.PutAsync(key, stream, cancellation);
    }

    public async Task SaveBytesAsync(string key, byte[] bytes, CancellationToken cancellation = default)
    {
        using var stream = new MemoryStream(bytes);
        await store.PutAsync(key, stream, cancellation);
    }

    public async Task<byte[]?> LoadBytesAsync(string key, CancellationToken cancellation = default)
    {
        await using var stream = await store.OpenAsync(key, cancellation);
        if (stream is null)
        {
            return null;
        }
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory, cancellation);
        return memory.ToArray();
    }

    /// <summary>Stored latents and the step they were stored at, or null when there are none.</summary>
    public async Task<(LatentTensor Latents, int Step)?> LoadLatentsAsync(string key, CancellationToken cancellation = default)
    {
        await using var stream = await store.OpenAsync(key, cancellation);
        return stream is null ? null : await StoredLatents.ReadAsync(stream, key, cancellation);
    }
}
