using System.Diagnostics;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>
/// A silo's queue of inference work: higher priorities first, and within a priority the steps of a job's critical path
/// (<see cref="WorkItem.Urgent"/>); then tenants share the slots by fair
/// queueing of items (start-time fair queueing, every item one unit, every tenant the same weight), so a tenant with a
/// long backlog delays another tenant's next item by at most one item of its own per turn; arrival order within a
/// tenant. Cancelled items leave at once; slots take denoise items of the same model and shape together as one batch,
/// except that an urgent item rides only with other urgent ones: a critical-path step in a full batch would wait out
/// the whole batch's call, and the windows waiting for it with it.
/// </summary>
internal sealed class ExecutorQueue
{
    private readonly LinkedList<WorkItem> _queue = new();
    private readonly object _lock = new(); // a monitor: slots wait on it for work
    private readonly Dictionary<(string Model, (int Frames, int Tokens) Key, int Channels, int Height, int Width, bool Urgent), int> _lastBatchSizes = []; // under _lock
    private readonly Dictionary<string, double> _tenantFinish = new(StringComparer.Ordinal); // under _lock: each tenant's last finish tag
    private double _virtualTime; // under _lock: the start tag of the item taken last
    private int _queuedWindowSteps;
    private long _cancelled;

    /// <summary>Denoise requests (window-steps) waiting for a slot.</summary>
    public int QueuedWindowSteps => Volatile.Read(ref _queuedWindowSteps);

    /// <summary>Items cancelled while they waited.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    public Task<T> Enqueue<T>(WorkItem<T> item)
    {
        lock (_lock)
        {
            // a tenant's item starts when its previous one finishes, or now (in virtual time) when it has none queued
            item.FairTag = Math.Max(_virtualTime, _tenantFinish.GetValueOrDefault(item.Tenant));
            _tenantFinish[item.Tenant] = item.FairTag + 1;
            // higher priorities first; within a priority urgent items first, then by start tag, equal tags in arrival order
            var after = _queue.Last;
            while (after is not null && GoesBefore(item, after.Value))
            {
                after = after.Previous;
            }
            if (after is null)
            {
                _queue.AddFirst(item);
            }
            else
            {
                _queue.AddAfter(after, item);
            }
            if (item is DenoiseItem)
            {
                _queuedWindowSteps++;
            }
            Monitor.PulseAll(_lock);
        }
        // a cancelled item leaves the queue at once, so a cancelled job frees the executor within one step
        item.Registration = item.Cancellation.Register(() =>
        {
            bool removed;
            lock (_lock)
            {
                removed = _queue.Remove(item);
                if (removed && item is DenoiseItem)
                {
                    _queuedWindowSteps--;
                }
            }
            if (removed)
            {
                Interlocked.Increment(ref _cancelled);
                item.Completion.TrySetCanceled(item.Cancellation);
            }
        });
        return item.Completion.Task;
    }

    private static bool GoesBefore(WorkItem item, WorkItem queued) =>
        item.Priority != queued.Priority ? item.Priority > queued.Priority
        : item.Urgent != queued.Urgent ? item.Urgent
        : item.FairTag < queued.FairTag;

    /// <summary>
    /// Waits for work, then takes the oldest item plus queued denoise items of the same model and shape (and urgency,
    /// when the first is urgent) up to the batch size. When the batch is not full it lingers briefly: the windows of a
    /// co-denoised clip reach each step within microseconds of each other, and one call for all of them beats several.
    /// It lingers only when the last batch of this kind was larger than what is queued now: a lone window (a chained
    /// pass, a window of its own shape) would otherwise wait out the linger on every step for companions that never come.
    /// </summary>
    /// <param name="urgentHold">
    /// How long the slot keeps itself for an urgent item before it takes other work: after a critical-path step, the
    /// window's next step comes within milliseconds, and a slot that took another step meanwhile would make it wait out
    /// that whole step (a keyframe chain sharing its slot with main-pass windows would run at about half speed).
    /// </param>
    public List<WorkItem> TakeBatch(int maxBatch, TimeSpan linger, TimeSpan urgentHold, CancellationToken shutdown)
    {
        var batch = new List<WorkItem>();
        var holdUntil = Stopwatch.GetTimestamp() + (long)(urgentHold.TotalSeconds * Stopwatch.Frequency);
        lock (_lock)
        {
            while (_queue.First is null || (!_queue.First.Value.Urgent && Stopwatch.GetTimestamp() < holdUntil))
            {
                if (shutdown.IsCancellationRequested)
                {
                    return batch;
                }
                var held = holdUntil - Stopwatch.GetTimestamp();
                Monitor.Wait(_lock, _queue.First is null || held <= 0 ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds((double)held / Stopwatch.Frequency));
            }
            var first = _queue.First.Value;
            _queue.RemoveFirst();
            batch.Add(first);
            _virtualTime = Math.Max(_virtualTime, first.FairTag);
            if (_queue.First is null)
            {
                _tenantFinish.Clear(); // nobody has a backlog: everyone starts from the current virtual time
            }
            if (first is DenoiseItem head)
            {
                _queuedWindowSteps--;
                var kind = (head.Model, head.Input.BatchKey, head.Input.Sample.Channels, head.Input.Sample.Height, head.Input.Sample.Width, head.Urgent);
                var deadline = Stopwatch.GetTimestamp() + (long)(linger.TotalSeconds * Stopwatch.Frequency);
                while (true)
                {
                    for (var node = _queue.First; node is not null && batch.Count < maxBatch;)
                    {
                        var next = node.Next;
                        if (node.Value is DenoiseItem d && d.Model == head.Model && d.Input.BatchKey == head.Input.BatchKey
                            && d.Input.Sample.SameShape(head.Input.Sample) && (d.Urgent || !head.Urgent))
                        {
                            _queue.Remove(node);
                            _queuedWindowSteps--;
                            batch.Add(d);
                        }
                        node = next;
                    }
                    var remaining = deadline - Stopwatch.GetTimestamp();
                    if (batch.Count >= maxBatch || remaining <= 0 || (_lastBatchSizes.TryGetValue(kind, out var last) && last <= batch.Count))
                    {
                        break;
                    }
                    Monitor.Wait(_lock, TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency));
                }
                _lastBatchSizes[kind] = batch.Count;
            }
        }
        foreach (var item in batch)
        {
            item.Registration.Dispose();
        }
        return batch;
    }

    /// <summary>Wakes every slot waiting for work (the executor is stopping).</summary>
    public void WakeAll()
    {
        lock (_lock)
        {
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Fails and removes everything still queued.</summary>
    public void FailAll(Exception error)
    {
        lock (_lock)
        {
            foreach (var item in _queue)
            {
                item.Fail(error);
            }
            _queue.Clear();
            _queuedWindowSteps = 0;
        }
    }
}
