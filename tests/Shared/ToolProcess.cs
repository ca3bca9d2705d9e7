using System.Diagnostics;
using System.Text;

namespace VideoDiffusion.Farm.Tests.Shared;

/// <summary>
/// A program run as a child process (the <c>farm</c> CLI, a server, promtool, helm, node, ffmpeg): its output is
/// collected as it arrives, so a test can wait for a line while it runs or read everything once it has exited. Killed
/// with its process tree on dispose.
/// </summary>
public sealed class ToolProcess : IDisposable
{
    private readonly Process _process;
    private readonly Lines _stdout;
    private readonly Lines _stderr;
    private readonly Lines _transcript;
    private int _disposed;

    private ToolProcess(Process process, int? keptLines)
    {
        _process = process;
        _stdout = new Lines(keptLines);
        _stderr = new Lines(keptLines);
        _transcript = new Lines(keptLines);
    }

    /// <summary>What the program wrote to standard output so far (its last lines when started with a limit).</summary>
    public string Output => _stdout.Text;

    /// <summary>What the program wrote to standard error so far.</summary>
    public string Error => _stderr.Text;

    /// <summary>Standard output and standard error together, line by line as they arrived.</summary>
    public string Transcript => _transcript.Text;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="executable"/>; see <see cref="ToolOptions"/> for the working directory, environment and input.</summary>
    public static ToolProcess Start(string executable, IEnumerable<string> arguments, ToolOptions? options = null)
    {
        options ??= new ToolOptions();
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = options.Input is not null,
            WorkingDirectory = options.WorkingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in options.Environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }
        var process = new Process { StartInfo = info };
        var tool = new ToolProcess(process, options.KeptLines);
        // drain both pipes so a chatty program never blocks on a full pipe
        process.OutputDataReceived += (_, e) => tool.Keep(tool._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => tool.Keep(tool._stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (options.Input is not null)
        {
            process.StandardInput.Write(options.Input);
            process.StandardInput.Close();
        }
        return tool;
    }

    /// <summary>Runs <paramref name="executable"/> to its end (killed and a <see cref="TimeoutException"/> after <paramref name="timeout"/>, default 2 minutes).</summary>
    public static async Task<ToolResult> RunAsync(string executable, IEnumerable<string> arguments, ToolOptions? options = null, TimeSpan? timeout = null)
    {
        using var tool = Start(executable, arguments, options);
        return await tool.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(2));
    }

    /// <summary>Runs <paramref name="executable"/> to its end, feeding it <paramref name="input"/> on standard input.</summary>
    public static Task<ToolResult> RunAsync(string executable, IEnumerable<string> arguments, string input) =>
        RunAsync(executable, arguments, new ToolOptions { Input = input });

    /// <summary>As <see cref="RunAsync(string, IEnumerable{string}, ToolOptions?, TimeSpan?)"/>, blocking, for synchronous tests.</summary>
    public static ToolResult Run(string executable, IEnumerable<string> arguments, ToolOptions? options = null, TimeSpan? timeout = null)
    {
        using var tool = Start(executable, arguments, options);
        return tool.WaitForExit(timeout ?? TimeSpan.FromMinutes(2));
    }

    public async Task<ToolResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw TimedOut(timeout);
        }
        return Result();
    }

    public ToolResult WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout) ? Result() : throw TimedOut(timeout);

    /// <summary>Waits until <paramref name="text"/> appears in the transcript; fails if the program exits first.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        await Poll.UntilAsync(
            () => Task.FromResult(Printed(text) || HasExited), done => done, timeout, TimeSpan.FromMilliseconds(100),
            _ => $"{Name} did not print '{text}' within {timeout.TotalSeconds:0} s; output:\n{Transcript}");
        if (!Printed(text))
        {
            _process.WaitForExit(); // the output readers have seen the end of both pipes
            if (!Printed(text))
            {
                throw new TimeoutException($"{Name} exited with {ExitCode} without printing '{text}'; output:\n{Transcript}");
            }
        }
    }

    /// <summary>SIGKILL, like a crashed machine: no shutdown hooks run.</summary>
    public void Kill() => Dispose();

    /// <summary>The operating system's process id.</summary>
    public int Id => _process.Id;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // exited between the check and the kill
        }
        _process.Dispose();
    }

    private bool Printed(string text) => Transcript.Contains(text, StringComparison.Ordinal);

    private string Name => Path.GetFileName(_process.StartInfo.FileName) + " " + string.Join(' ', _process.StartInfo.ArgumentList.Take(3));

    private ToolResult Result()
    {
        _process.WaitForExit(); // the output readers have seen the end of both pipes
        return new ToolResult(_process.ExitCode, Output, Error) { Transcript = Transcript };
    }

    private TimeoutException TimedOut(TimeSpan timeout)
    {
        Dispose();
        return new TimeoutException($"{Name} did not finish within {timeout.TotalSeconds:0} s; output:\n{Transcript}");
    }

    private void Keep(Lines lines, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_transcript)
        {
            lines.Add(line);
            _transcript.Add(line);
        }
    }

    /// <summary>Text kept line by line: all of it, or the last <c>limit</c> lines.</summary>
    private sealed class Lines(int? limit)
    {
        private readonly Queue<string> _lines = new();
        private readonly StringBuilder _all = new();

        public string Text
        {
            get
            {
                lock (this)
                {
                    return limit is null ? _all.ToString() : string.Join('\n', _lines);
                }
            }
        }

        public void Add(string line)
        {
            lock (this)
            {
                if (limit is null)
                {
                    _all.Append(line).Append('\n');
                    return;
                }
                _lines.Enqueue(line);
                while (_lines.Count > limit)
                {
                    _lines.Dequeue();
                }
            }
        }
    }
}

/// <summary>How to start a <see cref="ToolProcess"/>.</summary>
public sealed record ToolOptions
{
    /// <summary>Where it runs; the repository root when null.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables set on top of the test's own; a null value removes the variable.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>Text written to standard input, which is then closed; null: no input.</summary>
    public string? Input { get; init; }

    /// <summary>Keep only the last this many lines of each stream (for long-running servers); null: keep everything.</summary>
    public int? KeptLines { get; init; }
}

/// <summary>A program's exit code and output.</summary>
public sealed record ToolResult(int ExitCode, string Output, string Error)
{
    /// <summary>Standard output and standard error together, line by line as they arrived.</summary>
    public string Transcript { get; init; } = "";

    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}
