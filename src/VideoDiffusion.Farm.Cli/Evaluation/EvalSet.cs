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
    ulong SeedBase = 1000)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    public static EvalSet Load(string path)
    {
        var set = JsonSerializer.Deserialize<EvalSet>(File.ReadAllText(path), Options)
                  ?? throw new InvalidDataException($"{path}: empty evaluation set");
        return set.Context.Count == 0 ? set : set with { ContextLatents = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, set.ContextLatents) };
    }

    private static byte[] Rgb(int[] c) => c.Select(v => (byte)v).ToArray();

    public PaletteScorer Scorer() => new(
        Palette.ToDictionary(kv => kv.Key, kv => Rgb(kv.Value)),
        Backgrounds.ToDictionary(kv => kv.Key, kv => new BackgroundColours(Rgb(kv.Value["sky"]), Rgb(kv.Value["ground"]))),
        (SkyRows[0], SkyRows[1]),
        (GroundRows[0], GroundRows[1]));
}
