using VideoDiffusion.Farm.Diffusion.Decoding;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Media.Frames;

/// <summary>Decodes a clip's latents into RGB frames in chunks, so memory stays bounded for long clips.</summary>
public static class LatentFrameDecoder
{
    public static RgbVideo Decode(VaeDecoder decoder, LatentTensor latents, int pixelFrames, int width, int height, int chunkLatentFrames = 32)
    {
        var video = new RgbVideo(width, height, pixelFrames);
        var k = decoder.TemporalFactor;
        var frameSize = decoder.PixelFrameSize;
        for (var start = 0; start < latents.Frames; start += chunkLatentFrames)
        {
            var count = Math.Min(chunkLatentFrames, latents.Frames - start);
            var pixels = new float[count * k * frameSize];
            decoder.Decode(latents, start, count, pixels);
            for (var j = 0; j < count * k; j++)
            {
                var t = start * k + j;
                if (t < pixelFrames)
                {
                    video.SetFrameFromPlanar(t, pixels.AsSpan(j * frameSize, frameSize));
                }
            }
        }
        return video;
    }
}
