using System.Text.Json;
using VideoDiffusion.Farm.Diffusion.Quality;

namespace VideoDiffusion.Farm.Cli.Evaluation;

/// <summary>A prompt with what a correct clip shows.</summary>
public sealed record EvalPrompt(string Prompt, string Background, string Colour, int Direction, bool Moving, string? Subject = null, bool FromShip = false);

/// <summary>A continuation case: clean first frames of a real clip (latents in the set's binary file) and what follows.</summary>
public sealed record EvalContextCase(string Prompt, string Colour, int Direction, bool Moving, int Offset, int Frames);

/// <summary>
/// The fixed evaluation set the model kit writes (<c>tools/model-kit/eval/eval-set.json</c>): palette, band rows,
/// prompts sampled from the grammar with a fixed seed, and context cases (none in a prompt-only set). Prompt i renders
/// with seed <see cref="SeedBase"/> + i.
/// </summary>
public sealed record EvalSet(
    Dictionary<string, int[]> Palette,
    Dictionary<string, Dictionary<string, int[]>> Backgrounds,
    int[] SkyRows,
    int[] GroundRows,
    List<EvalPrompt> Prompts,
    List<EvalContextCase> Context,
    string ContextLatents,
    ulong SeedBase = 1000,
    Dictionary<string, int[][]>? WorldColours = null,
    Dictionary<string, int[][]>? SubjectShades = null,
    int[][]? ShipColours = null,
    int[][]? RocketColours = null)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    public static EvalSet Load(string path)
    {
        var set = JsonSerializer.Deserialize<EvalSet>(File.ReadAllText(path), Options)
                  ?? throw new InvalidDataException($"{path}: empty evaluation set");
        return set.Context.Count == 0 ? set : set with { ContextLatents = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, set.ContextLatents) };
    }

    private static byte[] Rgb(int[] c) => c.Select(v => (byte)v).ToArray();

    /// <summary>The colours a clip of <paramref name="prompt"/> may show: its world's, its subject's shades, the ship's when it comes out of one, the flame's for a rocket.</summary>
    public IReadOnlyList<byte[]> OnWorldColours(EvalPrompt prompt)
    {
        if (WorldColours is null || SubjectShades is null)
        {
            throw new InvalidDataException("the evaluation set has no world colours (worldColours, subjectShades): regenerate it with the model kit's make_eval_set.py");
        }
        var colours = WorldColours[prompt.Background].Concat(SubjectShades[prompt.Colour]);
        if (prompt.FromShip)
        {
            colours = colours.Concat(ShipColours ?? []);
        }
        if (prompt.Subject == "rocket")
        {
            colours = colours.Concat(RocketColours ?? []);
        }
        return colours.Select(Rgb).ToList();
    }

    public PaletteScorer Scorer() => new(
        Palette.ToDictionary(kv => kv.Key, kv => Rgb(kv.Value)),
        Backgrounds.ToDictionary(kv => kv.Key, kv => new BackgroundColours(Rgb(kv.Value["sky"]), Rgb(kv.Value["ground"]))),
        (SkyRows[0], SkyRows[1]),
        (GroundRows[0], GroundRows[1]));
}
