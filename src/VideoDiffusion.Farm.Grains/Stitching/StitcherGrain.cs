using System.Diagnostics;
using Microsoft.Extensions.Logging;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Quality;
using VideoDiffusion.Farm.Diffusion.Rendering;
using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Grains.Execution;
using VideoDiffusion.Farm.Grains.Jobs;
using VideoDiffusion.Farm.Grains.Placement;
using VideoDiffusion.Farm.Grains.Storage;
using VideoDiffusion.Farm.Media.Encoding;
using VideoDiffusion.Farm.Media.Frames;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Stitching;

/// <summary>
/// Lays the windows' final latents out as one clip (each frame from the first window covering it; overlaps were
/// already fused by the windows), VAE-decodes it in chunks on the executor, measures seams, encodes and stores the
/// video. Frames go through a temporary file in the silo's <see cref="StitchScratchFolder"/>, so memory does not grow
/// with clip length and a silo killed mid-stitch leaves nothing behind once a silo starts again on the machine.
/// </summary>
[AcceleratorPlacement]
public sealed class StitcherGrain(
    DenoiseExecutor executor, ModelCatalog catalog, JobPlans plans, JobArtifacts artifacts, StitchScratchFolder scratch, ILogger<StitcherGrain> logger) : Grain, IStitcherGrain
{
    private const int ChunkLatentFrames = 32;
    private readonly CancellationTokenSource _cancel = new();
    private Task? _running;

    public Task Stitch()
    {
        if (!_cancel.IsCancellationRequested && (_running is null || _running.IsFaulted))
        {
            _running = StitchGuardedAsync();
        }
        return Task.CompletedTask;
    }

    public Task Cancel()
    {
        _cancel.Cancel();
        return Task.CompletedTask;
    }

    private async Task StitchGuardedAsync()
    {
        var jobId = this.GetPrimaryKeyString();
        var job = GrainFactory.GetGrain<IRenderJobGrain>(jobId);
        JobResult result;
        try
        {
            await artifacts.ThrowIfStoppedAsync(jobId, _cancel, _cancel.Token);
            result = await StitchAsync(jobId, _cancel.Token);
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            logger.LogInformation("stitching job {Job} stopped: the job was cancelled", jobId);
            return;
        }
        catch (Exception e)
        {
            logger.LogError(e, "stitching job {Job} failed", jobId);
            await job.StitchFailed(e.Message);
            return;
        }
        await job.StitchCompleted(result);
    }

    private async Task<JobResult> StitchAsync(string jobId, CancellationToken cancellation)
    {
        var request = await plans.GetAsync(jobId);
        var size = catalog.Manifest(request.Model).Video;
        var spec = request.Plan.Spec;
        var output = request.Plan.Output;
        var plan = output.Windows;
        int width = size.Width, height = size.Height, k = request.Plan.Latent.TemporalFactor;
        var metrics = new TemporalMetricsAccumulator(plan, k, spec.PixelFrames);
        var rawPath = Path.Combine(scratch.Path, $"{jobId}-{Guid.NewGuid():N}.rgb");
        var videoPath = Path.ChangeExtension(rawPath, request.Format);
        var decodeClock = Stopwatch.StartNew();
        try
        {
            await using (var raw = File.Create(rawPath))
            {
                LatentTensor? chunk = null;
                var chunkFill = 0;
                var pixelFramesWritten = 0;
                async Task FlushAsync()
                {
                    var latents = chunk!.SliceFrames(0, chunkFill);
                    var pixelFrames = Math.Min(chunkFill * k, spec.PixelFrames - pixelFramesWritten);
                    var video = await executor.RunAsync(request.Model, m => LatentFrameDecoder.Decode(m.Decoder, latents, pixelFrames, width, height), cancellation, request.Priority);
                    for (var t = 0; t < video.Frames; t++)
                    {
                        metrics.Add(video.Frame(t));
                        await raw.WriteAsync(video.Data.AsMemory(t * video.FrameSize, video.FrameSize), cancellation);
                    }
                    pixelFramesWritten += video.Frames;
                    chunkFill = 0;
                }
                foreach (var (window, localStart, count, _) in ClipAssembler.Segments(plan))
                {
                    var key = new WindowKey(jobId, output.Name, window);
                    var latents = (await artifacts.LoadLatentsAsync(JobArtifacts.FinalKey(key), cancellation)
                                   ?? throw new InvalidOperationException($"window {window} has no final latents")).Latents;
                    chunk ??= new LatentTensor(ChunkLatentFrames, latents.Channels, latents.Height, latents.Width);
                    for (var f = 0; f < count; f++)
                    {
                        chunk.SetFrames(chunkFill++, latents.Frame(localStart + f));
                        if (chunkFill == ChunkLatentFrames)
                        {
                            await FlushAsync();
                        }
                    }
                }
                if (chunkFill > 0)
                {
                    await FlushAsync();
                }
            }
            decodeClock.Stop();
            var encodeClock = Stopwatch.StartNew();
            await VideoEncoder.EncodeFramesAsync(ReadFrames(rawPath, width * height * 3), width, height, spec.Fps, videoPath, request.Scale, cancellation);
            // a job cancelled while this encoded (on this silo or, after a lost silo, on another) stores no video
            await artifacts.ThrowIfStoppedAsync(jobId, _cancel, cancellation);
            var key2 = JobArtifacts.VideoKey(jobId, request.Format);
            await using (var video = File.OpenRead(videoPath))
            {
                await artifacts.Store.PutAsync(key2, video, cancellation);
            }
            encodeClock.Stop();
            var quality = metrics.Result();
            return new JobResult(key2, artifacts.Store.LocationOf(key2), spec.PixelFrames, spec.Fps, quality.SeamRatio,
                decodeClock.Elapsed.TotalSeconds, encodeClock.Elapsed.TotalSeconds);
        }
        finally
        {
            File.Delete(rawPath);
            File.Delete(videoPath);
        }
    }

    private static IEnumerable<byte[]> ReadFrames(string path, int frameSize)
    {
        using var file = File.OpenRead(path);
        while (true)
        {
            var frame = new byte[frameSize];
            var read = 0;
            while (read < frameSize)
            {
                var n = file.Read(frame, read, frameSize - read);
                if (n == 0)
                {
                    yield break;
                }
                read += n;
            }
            yield return frame;
        }
    }
}
