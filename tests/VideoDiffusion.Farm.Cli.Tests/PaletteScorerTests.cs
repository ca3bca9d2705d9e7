using VideoDiffusion.Farm.Cli.Evaluation;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Cli.Tests;

public sealed class PaletteScorerTests
{
    private static readonly byte[] Blue = [50, 90, 230];
    private static readonly byte[] Black = [10, 10, 20];

    private static readonly PaletteScorer Scorer = new(
        new Dictionary<string, byte[]> { ["blue"] = Blue },
        new Dictionary<string, BackgroundColours> { ["moon"] = new(Black, Black) },
        (0, 8), (8, 16));

    private static RgbVideo Frame(params (int X, int Y, int W, int H)[] rectangles)
    {
        var video = new RgbVideo(16, 16, 1);
        var frame = video.Frame(0);
        for (var p = 0; p < 16 * 16; p++)
        {
            Black.CopyTo(frame[(3 * p)..]);
        }
        foreach (var (x0, y0, w, h) in rectangles)
        {
            for (var y = y0; y < y0 + h; y++)
            {
                for (var x = x0; x < x0 + w; x++)
                {
                    Blue.CopyTo(frame[(3 * (y * 16 + x))..]);
                }
            }
        }
        return video;
    }

    [Fact]
    public void OneShapeIsOneSubject() => Assert.Equal(1, Scorer.SubjectCount(Frame((2, 2, 4, 3)), 0, "blue"));

    [Fact]
    public void ShapesTouchingAtACornerAreOneSubject() =>
        Assert.Equal(1, Scorer.SubjectCount(Frame((2, 2, 3, 3), (5, 5, 3, 3)), 0, "blue"));

    [Fact]
    public void SeparateShapesAreCountedAndSpecksIgnored() =>
        Assert.Equal(2, Scorer.SubjectCount(Frame((0, 0, 3, 2), (8, 8, 2, 3), (14, 14, 2, 2)), 0, "blue"));

    [Fact]
    public void AFrameWithoutTheColourHasNoSubject() => Assert.Equal(0, Scorer.SubjectCount(Frame(), 0, "blue"));
}
