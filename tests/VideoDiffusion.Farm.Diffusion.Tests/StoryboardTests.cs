using VideoDiffusion.Farm.Diffusion.Planning;

namespace VideoDiffusion.Farm.Diffusion.Tests;

public class StoryboardTests
{
    [Fact]
    public void ParsesObjectAndArrayForms()
    {
        var a = Storyboard.Parse("""{"segments":[{"prompt":"a red ball","from":0,"to":2},{"prompt":"a blue cube","from":2,"to":5}]}""");
        var b = Storyboard.Parse("""[{"prompt":"a red ball","from":0,"to":2},{"prompt":"a blue cube","from":2,"to":5}]""");
        Assert.Equal(a.Segments, b.Segments);
        Assert.Equal(5, a.Seconds);
        a.Validate();
    }

    [Theory]
    [InlineData("""[{"prompt":"a","from":0,"to":2},{"prompt":"b","from":3,"to":5}]""", "storyboard[1].from", "gap")]
    [InlineData("""[{"prompt":"a","from":0,"to":2},{"prompt":"b","from":1,"to":5}]""", "storyboard[1].from", "overlap")]
    [InlineData("""[{"prompt":"a","from":1,"to":2}]""", "storyboard[0].from", "gap")]
    [InlineData("""[{"prompt":" ","from":0,"to":2}]""", "storyboard[0].prompt", "empty")]
    [InlineData("""[{"prompt":"a","from":0,"to":0}]""", "storyboard[0].to", "after")]
    public void GapsOverlapsAndEmptyPromptsAreRefusedByField(string json, string field, string word)
    {
        var e = Assert.Throws<PlanException>(() => Storyboard.Parse(json).Validate());
        Assert.Equal(field, e.Field);
        Assert.Contains(word, e.Message);
    }

    [Theory]
    [InlineData("""{"segments":[{"prompt":"a","from":0,"to":2,"colour":"red"}]}""")]
    [InlineData("""{"segments":[{"prompt":"a","from":0}]}""")]
    [InlineData("""not json""")]
    public void MalformedStoryboardsAreRefused(string json) =>
        Assert.Equal("storyboard", Assert.Throws<PlanException>(() => Storyboard.Parse(json)).Field);

    [Fact]
    public void LatentFramesMapToTheSegmentOfTheirMiddle()
    {
        var board = Storyboard.Parse("""[{"prompt":"a","from":0,"to":2},{"prompt":"b","from":2,"to":4}]""");
        Assert.Equal(0, board.SegmentOfLatentFrame(15, 1, 8));
        Assert.Equal(1, board.SegmentOfLatentFrame(16, 1, 8));
        // temporal factor 4: latent frame 3 is pixel frames 12..15, middle 14 / 8 fps = 1.75 s
        Assert.Equal(0, board.SegmentOfLatentFrame(3, 4, 8));
        Assert.Equal(1, board.SegmentOfLatentFrame(4, 4, 8));
    }
}
