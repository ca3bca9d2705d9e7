using System.Text.RegularExpressions;
using VideoDiffusion.Farm.Diffusion.Models;

namespace VideoDiffusion.Farm.Diffusion.Text;

/// <summary>Word-level tokenizer: letters only, optional lower-casing, unknown words to one id, padded to a fixed length.</summary>
public sealed partial class WordTokenizer
{
    private readonly Dictionary<string, long> _ids;
    private readonly TokenizerSettings _settings;

    public WordTokenizer(IReadOnlyList<string> vocabulary, TokenizerSettings settings)
    {
        _settings = settings;
        _ids = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < vocabulary.Count; i++)
        {
            _ids.TryAdd(vocabulary[i], i);
        }
    }

    public static WordTokenizer Load(ModelManifest manifest)
    {
        var path = manifest.PathOf(manifest.Tokenizer.Vocabulary);
        var words = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (words.Count == 0)
        {
            throw new ModelLoadException($"{path}: the vocabulary is empty");
        }
        return new WordTokenizer(words, manifest.Tokenizer);
    }

    public int MaxTokens => _settings.MaxTokens;

    public long[] Encode(string text)
    {
        var ids = new long[_settings.MaxTokens];
        Array.Fill(ids, (long)_settings.PadId);
        var source = _settings.Lowercase ? text.ToLowerInvariant() : text;
        var i = 0;
        foreach (Match m in Word().Matches(source))
        {
            if (i == ids.Length)
            {
                break;
            }
            ids[i++] = _ids.TryGetValue(m.Value, out var id) ? id : _settings.UnknownId;
        }
        return ids;
    }

    /// <summary>Words of the prompt that the vocabulary does not know (they become the unknown token).</summary>
    public IReadOnlyList<string> UnknownWords(string text)
    {
        var source = _settings.Lowercase ? text.ToLowerInvariant() : text;
        return Word().Matches(source).Select(m => m.Value).Where(w => !_ids.ContainsKey(w)).Distinct().ToList();
    }

    [GeneratedRegex("[A-Za-z]+")]
    private static partial Regex Word();
}
