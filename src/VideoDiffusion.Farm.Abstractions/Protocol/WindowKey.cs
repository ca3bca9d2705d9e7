namespace VideoDiffusion.Farm.Abstractions.Protocol;

/// <summary>Which window: the job, the pass (<c>main</c>, or <c>key</c> for the keyframe pass) and its index.</summary>
[GenerateSerializer, Immutable]
public readonly record struct WindowKey([property: Id(0)] string JobId, [property: Id(1)] string Pass, [property: Id(2)] int Index)
{
    public string GrainKey => $"{JobId}/{Pass}/{Index}";

    public static WindowKey Parse(string grainKey)
    {
        var parts = grainKey.Split('/');
        if (parts.Length != 3 || !int.TryParse(parts[2], out var index))
        {
            throw new ArgumentException($"invalid window key '{grainKey}'");
        }
        return new WindowKey(parts[0], parts[1], index);
    }

    public WindowKey Neighbour(int offset) => this with { Index = Index + offset };

    /// <summary>The windows on either side of this one in a pass of <paramref name="windows"/> windows.</summary>
    public IEnumerable<WindowKey> Neighbours(int windows) => new[] { Neighbour(-1), Neighbour(1) }.Where(n => n.Index >= 0 && n.Index < windows);
}
