using VideoDiffusion.Farm.Diffusion.Decoding;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Media.Frames;

/// <summary>Decodes a clip's latents into RGB frames in chunks, so memory stays bounded for long clips.</summary>
public static class LatentFrameDecoder
{
    public static RgbVideo Decode(VaeDecoder decoder, LatentTensor latents, int pixelFrames, int width, int height, int chunkLatentFrames = 32)
    {
        var video = new RgbVideo(width, height, pixelFrames);
        DecodeInto(decoder, latents, pixelFrames, video, new float[PixelsLength(decoder, Math.Min(chunkLatentFrames, latents.Frames))], chunkLatentFrames);
        return video;
    }

    /// <summary>Floats of decoded pixels that <paramref name="latentFrames"/> latent frames give.</summary>
    public static int PixelsLength(VaeDecoder decoder, int latentFrames) => latentFrames * decoder.TemporalFactor * decoder.PixelFrameSize;

    /// <summary>
    /// Decodes into the first <paramref name="pixelFrames"/> frames of <paramref name="video"/>, with
    /// <paramref name="pixels"/> (at least <see cref="PixelsLength"/> of one chunk) as scratch: a stitcher decoding
    /// chunk after chunk reuses both instead of leaving two large arrays per chunk to the collector.
    /// </summary>
    public static void DecodeInto(VaeDecoder decoder, LatentTensor latents, int pixelFrames, RgbVideo video, float[] pixels, int chunkLatentFrames = 32)
    {
        var k = decoder.TemporalFactor;
        var frameSize = decoder.PixelFrameSize;
        for (var start = 0; start < latents.Frames; start += chunkLatentFrames)
        {
            var count = Math.Min(chunkLatentFrames, latents.Frames - start);
            decoder.Decode(latents, start, count, pixels.AsSpan(0, PixelsLength(decoder, count)));
            for (var j = 0; j < count * k; j++)
            {
                var t = start * k + j;
                if (t < pixelFrames)
                {
                    video.SetFrameFromPlanar(t, pixels.AsSpan(j * frameSize, frameSize));
                }
            }
        }
    }
}
