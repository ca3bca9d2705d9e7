using System.Globalization;
using VideoDiffusion.Farm.Diffusion.Planning;

namespace VideoDiffusion.Farm.Cli.Commands;

/// <summary>
/// Checks of command-line options that the job's own validation does not cover (lists, benchmark settings): a bad
/// value is a <see cref="PlanException"/> naming the option, which the CLI prints as one <c>error: option:</c> line
/// with exit code 2, before anything starts.
/// </summary>
public static class OptionChecks
{
    public static void Require(bool valid, string option, string message)
    {
        if (!valid)
        {
            throw new PlanException(option, message);
        }
    }

    /// <summary>
    /// The whole numbers of <paramref name="text"/> split on <paramref name="separator"/> (blanks around them and empty
    /// entries ignored), each from <paramref name="min"/> to <paramref name="max"/>; at least one.
    /// </summary>
    public static List<int> WholeNumbers(string text, string option, int min, int max, char separator = ',')
    {
        var numbers = Split(text, separator).Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (int?)null).ToList();
        Require(numbers.Count > 0 && numbers.All(n => n >= min && n <= max), option,
            $"{option} must be {(separator == ',' ? "comma-separated " : "")}whole numbers from {min} to {max} (got '{text}')");
        return numbers.Select(n => n!.Value).ToList();
    }

    /// <summary>The comma-separated words of <paramref name="text"/>, each one of <paramref name="allowed"/>; at least one.</summary>
    public static List<string> Choices(string text, string option, params string[] allowed)
    {
        var words = Split(text, ',');
        Require(words.Count > 0 && words.All(allowed.Contains), option,
            $"{option} must be comma-separated words of {string.Join(", ", allowed)} (got '{text}')");
        return words;
    }

    private static List<string> Split(string text, char separator) =>
        text.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
