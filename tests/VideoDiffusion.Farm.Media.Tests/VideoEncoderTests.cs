using VideoDiffusion.Farm.Diffusion.Tensors;
using VideoDiffusion.Farm.Media.Encoding;
using VideoDiffusion.Farm.Media.Frames;

namespace VideoDiffusion.Farm.Media.Tests;

public sealed class VideoEncoderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-media-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RgbVideo Gradient(int width, int height, int frames)
    {
        var v = new RgbVideo(width, height, frames);
        for (var t = 0; t < frames; t++)
        {
            var f = v.Frame(t);
            for (var i = 0; i < f.Length; i++)
            {
                f[i] = (byte)((i * 7 + t * 13) % 256);
            }
        }
        return v;
    }

    private static string Probe(string path) =>
        ToolProcess.Run("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
            "stream=codec_name,pix_fmt,r_frame_rate,nb_read_frames,width,height", "-of", "default=noprint_wrappers=1", path]).Output;

    [Fact]
    public async Task Mp4IsH264Yuv420pAtTheAskedRateAndFrameCount()
    {
        var path = Path.Combine(_dir, "a.mp4");
        await VideoEncoder.EncodeAsync(Gradient(64, 64, 24), 8, path, scale: 2);
        var probe = Probe(path);
        Assert.Contains("codec_name=h264", probe);
        Assert.Contains("pix_fmt=yuv420p", probe);
        Assert.Contains("r_frame_rate=8/1", probe);
        Assert.Contains("nb_read_frames=24", probe);
        Assert.Contains("width=128", probe);
    }

    [Fact]
    public async Task OddSizesArePaddedToEvenForMp4()
    {
        var path = Path.Combine(_dir, "odd.mp4");
        await VideoEncoder.EncodeAsync(Gradient(33, 17, 3), 8, path);
        var probe = Probe(path);
        Assert.Contains("width=34", probe);
        Assert.Contains("height=18", probe);
    }

    [Fact]
    public async Task Y4mIsLosslessAndRepeatable()
    {
        var a = Path.Combine(_dir, "a.y4m");
        var b = Path.Combine(_dir, "b.y4m");
        var video = Gradient(16, 16, 5);
        await VideoEncoder.EncodeAsync(video, 8, a, scale: 1);
        await VideoEncoder.EncodeAsync(video, 8, b, scale: 1);
        var bytes = File.ReadAllBytes(a);
        Assert.Equal(bytes, File.ReadAllBytes(b));
        Assert.StartsWith("YUV4MPEG2 W16 H16 F8:1", System.Text.Encoding.ASCII.GetString(bytes, 0, 40));
        Assert.Contains("yuv444p", Probe(a));
        Assert.Contains("nb_read_frames=5", Probe(a));
    }

    [Fact]
    public async Task UnknownExtensionIsRefused() =>
        await Assert.ThrowsAsync<ArgumentException>(() => VideoEncoder.EncodeAsync(Gradient(8, 8, 1), 8, Path.Combine(_dir, "x.avi")));

    [Fact]
    public void UpscaleRepeatsPixels()
    {
        var v = new RgbVideo(2, 1, 1);
        v.Frame(0)[..3].Fill(10);
        v.Frame(0)[3..].Fill(200);
        var up = FrameScaler.Upscale(v, 3);
        Assert.Equal(6, up.Width);
        Assert.Equal(3, up.Height);
        Assert.Equal(10, up.Frame(0)[3 * 2]);
        Assert.Equal(200, up.Frame(0)[3 * 3]);
        Assert.Equal(200, up.Frame(0)[(2 * 6 + 5) * 3 + 2]);
    }

    [Fact]
    public void PlanarFloatFramesBecomeRgbBytes()
    {
        var v = new RgbVideo(1, 1, 1);
        v.SetFrameFromPlanar(0, [-1f, 0f, 1f]);
        Assert.Equal([0, 128, 255], v.Frame(0).ToArray());
    }
}
