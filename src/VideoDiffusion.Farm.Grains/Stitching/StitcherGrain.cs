using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
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
/// video. Decoded frames stream to ffmpeg through a bounded queue while the next chunk decodes, so decoding and encoding
/// overlap and memory does not grow with clip length; ffmpeg writes the video into the silo's
/// <see cref="StitchScratchFolder"/>, so a silo killed mid-stitch leaves nothing behind once a silo starts again on the machine.
/// </summary>
[AcceleratorPlacement]
public sealed class StitcherGrain(
    DenoiseExecutor executor, ModelCatalog catalog, JobPlans plans, JobArtifacts artifacts, StitchScratchFolder scratch, ILogger<StitcherGrain> logger) : Grain, IStitcherGrain
{
    private const int ChunkLatentFrames = 32;

    /// <summary>About this much of decoded frames waits for ffmpeg at most.</summary>
    private const int FramesInFlightBytes = 64 << 20;
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
        var videoPath = Path.Combine(scratch.Path, $"{jobId}-{Guid.NewGuid():N}.{request.Format}");
        var metrics = new TemporalMetricsAccumulator(request.Plan.Output.Windows, request.Plan.Latent.TemporalFactor, spec.PixelFrames);
        var frameSize = size.Width * size.Height * 3;
        var frames = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(Math.Clamp(FramesInFlightBytes / frameSize, 8, 1024))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var clock = Stopwatch.StartNew();
        // ffmpeg encodes frames as they are decoded; its pipe blocks while it catches up, so it reads on a thread of its own
        var encoding = Task.Run(async () =>
        {
            try
            {
                await VideoEncoder.EncodeFramesAsync(ReadAll(frames.Reader, stop.Token), size.Width, size.Height, spec.Fps, videoPath, request.Scale, stop.Token);
            }
            catch (Exception e)
            {
                frames.Writer.TryComplete(e); // the decoder stops at its next frame instead of waiting for room
                throw;
            }
        }, CancellationToken.None);
        try
        {
            double decodeSeconds;
            try
            {
                await DecodeAsync(jobId, request, frames.Writer, metrics, stop.Token);
                frames.Writer.TryComplete();
                decodeSeconds = clock.Elapsed.TotalSeconds;
            }
            catch (Exception e)
            {
                await stop.CancelAsync();
                await encoding.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                if (e is ChannelClosedException && encoding.Exception?.InnerException is { } encoderError)
                {
                    ExceptionDispatchInfo.Throw(encoderError); // the queue closed because ffmpeg failed: say why
                }
                throw;
            }
            await encoding;
            // a job cancelled while this encoded (on this silo or, after a lost silo, on another) stores no video
            await artifacts.ThrowIfStoppedAsync(jobId, _cancel, cancellation);
            var key = JobArtifacts.VideoKey(jobId, request.Format);
            await using (var video = File.OpenRead(videoPath))
            {
                await artifacts.Store.PutAsync(key, video, cancellation);
            }
            var quality = metrics.Result();
            return new JobResult(key, artifacts.Store.LocationOf(key), spec.PixelFrames, spec.Fps, quality.SeamRatio,
                decodeSeconds, clock.Elapsed.TotalSeconds - decodeSeconds);
        }
        finally
        {
            File.Delete(videoPath);
        }
    }

    /// <summary>Lays the windows' final latents out in clip order and decodes them chunk by chunk into RGB frames.</summary>
    private async Task DecodeAsync(string jobId, PlannedJob request, ChannelWriter<byte[]> frames, TemporalMetricsAccumulator metrics, CancellationToken cancellation)
    {
        var size = catalog.Manifest(request.Model).Video;
        var output = request.Plan.Output;
        int k = request.Plan.Latent.TemporalFactor, pixelFramesLeft = request.Plan.Spec.PixelFrames;
        LatentTensor? chunk = null;
        var chunkFill = 0;
        // one chunk's decoded frames and the decoder's scratch, reused chunk after chunk
        var video = new RgbVideo(size.Width, size.Height, ChunkLatentFrames * k);
        float[]? pixels = null;
        async Task FlushAsync()
        {
            var latents = chunk!.SliceFrames(0, chunkFill);
            var pixelFrames = Math.Min(chunkFill * k, pixelFramesLeft);
            pixels = await executor.RunAsync(request.Model, m =>
            {
                var scratch = pixels ?? new float[LatentFrameDecoder.PixelsLength(m.Decoder, ChunkLatentFrames)];
                LatentFrameDecoder.DecodeInto(m.Decoder, latents, pixelFrames, video, scratch, ChunkLatentFrames);
                return scratch;
            }, cancellation, request.Priority);
            for (var t = 0; t < pixelFrames; t++)
            {
                metrics.Add(video.Frame(t));
                await frames.WriteAsync(video.Data.AsSpan(t * video.FrameSize, video.FrameSize).ToArray(), cancellation);
            }
            pixelFramesLeft -= pixelFrames;
            chunkFill = 0;
        }
        foreach (var (window, localStart, count, _) in ClipAssembler.Segments(output.Windows))
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

    /// <summary>The decoded frames as the encoder's pipe takes them, blocking its thread until each arrives.</summary>
    private static IEnumerable<byte[]> ReadAll(ChannelReader<byte[]> frames, CancellationToken cancellation)
    {
        while (frames.WaitToReadAsync(cancellation).AsTask().GetAwaiter().GetResult())
        {
            while (frames.TryRead(out var frame))
            {
                yield return frame;
            }
        }
    }
}
