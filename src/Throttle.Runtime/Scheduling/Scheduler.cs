using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Cronos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Throttle.Coordination;
using Throttle.Internal;
using Throttle.Policies;

namespace Throttle.Scheduling;

/// <summary>
/// Runs jobs every interval, or on cron expressions (the spec's <c>Scheduler</c> and <c>@scheduler.every</c>), on the
/// runtime's clock: one timer set for the earliest due job, no polling loop.
/// </summary>
/// <remarks>
/// <para>
/// A job never overlaps itself: a run that lasts past later occurrences delays the job to the first occurrence after it
/// ended and the ones in between are skipped (counted in <see cref="ScheduledJob.SkippedRuns"/>, logged), never run late
/// in a burst. An interval job's occurrences are every interval from when it was scheduled (start, or when added to a
/// started scheduler), the first one interval later. A run that throws is logged (<see cref="ThrottleRuntimeOptions.LoggerFactory"/>),
/// counted (<see cref="ScheduledJob.Failures"/>) and raised as <see cref="JobFailed"/>; the schedule goes on.
/// </para>
/// <para>
/// A job with a leadership (<see cref="ScheduledOptions.OnlyOnLeader"/>) runs only while this instance holds it: the
/// scheduler runs a <see cref="Coordinator"/> per leadership on the runtime's storage (or the one given to
/// <see cref="UseLeadership"/>), and the run's token is cancelled when the leadership is lost. Runs are started on the
/// thread pool, so a job that blocks does not hold up the others.
/// </para>
/// </remarks>
public sealed class Scheduler : IAsyncDisposable
{
    // A timer may fire a hair before the timestamp it was set for; this much early still counts as due.
    private static readonly TimeSpan s_dueTolerance = TimeSpan.FromMilliseconds(1);

    private readonly ThrottleRuntime _runtime;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<string, ScheduledJob> _jobs = new(StringComparer.Ordinal);
    private readonly List<ScheduledJob> _order = [];
    private readonly Dictionary<string, Coordinator> _leaderships = new(StringComparer.Ordinal);
    private readonly List<Coordinator> _owned = [];
    private readonly long _toleranceTicks;
    private ITimer? _timer;
    private CancellationTokenSource? _stopping;
    private int _disposed;

    /// <summary>Creates a scheduler on <see cref="ThrottleRuntime.Current"/>.</summary>
    public Scheduler()
        : this(ThrottleRuntime.Current)
    {
    }

    /// <summary>Creates a scheduler on <paramref name="runtime"/>'s clock, logger factory and storage (for leaderships).</summary>
    /// <param name="runtime">The runtime.</param>
    /// <exception cref="ArgumentNullException"><paramref name="runtime"/> is null.</exception>
    public Scheduler(ThrottleRuntime runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        _runtime = runtime;
        _clock = runtime.TimeProvider;
        _logger = (ILogger?)runtime.Options.LoggerFactory?.CreateLogger<Scheduler>() ?? NullLogger.Instance;
        _toleranceTicks = Ticks(s_dueTolerance);
    }

    /// <summary>Raised when a run throws (after it was logged and counted); the telemetry hook for failures.</summary>
    public event EventHandler<ScheduledJobFailedEventArgs>? JobFailed;

    /// <summary>
    /// Raised after each run ended (returned, threw or was cancelled), once the job shows idle with its next occurrence
    /// set, on the thread that ran it; exceptions thrown by handlers are logged. A signal for tests and monitoring.
    /// </summary>
    public event EventHandler<ScheduledJobCompletedEventArgs>? JobCompleted;

    /// <summary>The jobs, in the order they were added (a snapshot).</summary>
    public IReadOnlyList<ScheduledJob> Jobs
    {
        get
        {
            lock (_gate)
            {
                return _order.ToArray();
            }
        }
    }

    /// <summary>Whether the scheduler is started.</summary>
    public bool IsStarted
    {
        get
        {
            lock (_gate)
            {
                return _stopping is not null;
            }
        }
    }

    /// <summary>Runs <paramref name="job"/> every <paramref name="interval"/>.</summary>
    /// <param name="interval">The time between occurrences; positive.</param>
    /// <param name="name">The job's name, unique in this scheduler.</param>
    /// <param name="job">The work; its token is cancelled when the scheduler stops.</param>
    /// <returns>The job.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is zero or negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, blank, or already used.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    public ScheduledJob Every(TimeSpan interval, string name, Func<CancellationToken, ValueTask> job)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, $"interval must be positive, but is {interval}.");
        }

        return AddCore(name, nameof(name), interval, null, null, job, nameof(job));
    }

    /// <summary>
    /// Runs <paramref name="job"/> every <paramref name="seconds"/> + <paramref name="minutes"/> + <paramref name="hours"/>
    /// (the spec's <c>every(seconds, minutes, hours, name)</c>; give at least one).
    /// </summary>
    /// <param name="name">The job's name, unique in this scheduler.</param>
    /// <param name="job">The work; its token is cancelled when the scheduler stops.</param>
    /// <param name="seconds">Seconds of the interval: positive and finite when given.</param>
    /// <param name="minutes">Minutes of the interval: positive and finite when given.</param>
    /// <param name="hours">Hours of the interval: positive and finite when given.</param>
    /// <returns>The job.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A part is zero, negative, NaN or infinite, or none is given (the parameter names it).</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, blank, or already used.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    public ScheduledJob Every(string name, Func<CancellationToken, ValueTask> job, double? seconds = null, double? minutes = null, double? hours = null) =>
        AddValidated(new ScheduledOptions { Name = name, Seconds = seconds, Minutes = minutes, Hours = hours }, job, ParameterName);

    /// <summary>Runs <paramref name="job"/> at the occurrences of a cron expression, in UTC (Cronos syntax: 5 fields, or 6 with seconds first).</summary>
    /// <param name="expression">The cron expression.</param>
    /// <param name="name">The job's name, unique in this scheduler.</param>
    /// <param name="job">The work; its token is cancelled when the scheduler stops.</param>
    /// <returns>The job.</returns>
    /// <exception cref="ArgumentException"><paramref name="expression"/> is not a valid cron expression, or <paramref name="name"/> is null, blank, or already used.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is null.</exception>
    public ScheduledJob Cron(string expression, string name, Func<CancellationToken, ValueTask> job) =>
        AddValidated(new ScheduledOptions { Name = name, Cron = expression }, job, static option => option == nameof(ScheduledOptions.Cron) ? "expression" : ParameterName(option));

    /// <summary>Adds a job described by <paramref name="options"/> (interval or cron, name, leadership).</summary>
    /// <param name="options">The job's settings; copied. <see cref="ScheduledOptions.Name"/> is required here.</param>
    /// <param name="job">The work; its token is cancelled when the scheduler stops or the job's leadership is lost.</param>
    /// <returns>The job.</returns>
    /// <exception cref="ArgumentException">An option is invalid (the parameter names it), or the name is missing or already used.</exception>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public ScheduledJob Add(ScheduledOptions options, Func<CancellationToken, ValueTask> job)
    {
        ArgumentNullException.ThrowIfNull(options);
        return AddValidated(options.Copy(), job, null);
    }

    /// <summary>Adds every static <c>[Scheduled]</c> method registered so far (<see cref="ScheduledJobRegistry"/>).</summary>
    /// <returns>The jobs added.</returns>
    /// <exception cref="ArgumentException">A job's name is already used in this scheduler.</exception>
    public IReadOnlyList<ScheduledJob> AddRegisteredJobs() =>
        ScheduledJobRegistry.Jobs.Select(definition => Add(definition.Options, definition.Run)).ToArray();

    /// <summary>Adds the <c>[Scheduled]</c> instance methods of <typeparamref name="T"/>, run on <paramref name="instance"/>.</summary>
    /// <typeparam name="T">A type with <c>[Scheduled]</c> methods (the generator implements <see cref="IScheduledJobs{TSelf}"/>).</typeparam>
    /// <param name="instance">The instance the methods run on.</param>
    /// <returns>The jobs added.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="instance"/> is null.</exception>
    /// <exception cref="ArgumentException">A job's name is already used in this scheduler.</exception>
    public IReadOnlyList<ScheduledJob> AddJobs<T>(T instance)
        where T : class, IScheduledJobs<T>
    {
        ArgumentNullException.ThrowIfNull(instance);
        return AddJobs<T>((run, cancellationToken) => run(instance, cancellationToken));
    }

    /// <summary>
    /// Adds the <c>[Scheduled]</c> instance methods of <typeparamref name="T"/>; <paramref name="invoke"/> provides the
    /// instance for each run (a host creates a DI scope, resolves <typeparamref name="T"/>, calls the method, disposes).
    /// </summary>
    /// <typeparam name="T">A type with <c>[Scheduled]</c> methods (the generator implements <see cref="IScheduledJobs{TSelf}"/>).</typeparam>
    /// <param name="invoke">Called for each run with the method to call on an instance, and the run's token.</param>
    /// <returns>The jobs added.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="invoke"/> is null.</exception>
    /// <exception cref="ArgumentException">A job's name is already used in this scheduler.</exception>
    public IReadOnlyList<ScheduledJob> AddJobs<T>(Func<Func<T, CancellationToken, ValueTask>, CancellationToken, ValueTask> invoke)
        where T : class, IScheduledJobs<T>
    {
        ArgumentNullException.ThrowIfNull(invoke);
        return T.ScheduledJobs
            .Select(definition => Add(definition.Options, cancellationToken => invoke(definition.Run, cancellationToken)))
            .ToArray();
    }

    /// <summary>
    /// Uses <paramref name="coordinator"/> for the jobs that need its leadership (<see cref="Coordinator.LockName"/>),
    /// instead of one the scheduler would create with default settings. The caller starts, stops and disposes it.
    /// </summary>
    /// <param name="coordinator">The coordinator.</param>
    /// <returns>This scheduler.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="coordinator"/> is null.</exception>
    /// <exception cref="ArgumentException">The scheduler already has a coordinator for that leadership.</exception>
    public Scheduler UseLeadership(Coordinator coordinator)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        lock (_gate)
        {
            if (!_leaderships.TryAdd(coordinator.LockName, coordinator))
            {
                throw new ArgumentException(
                    $"The scheduler already has a coordinator for the leadership '{coordinator.LockName}'; call UseLeadership before adding its jobs.",
                    nameof(coordinator));
            }
        }

        return this;
    }

    /// <summary>
    /// Starts the leaderships the scheduler created (a first attempt each) and schedules every job. Calling it again
    /// while started does nothing.
    /// </summary>
    /// <param name="cancellationToken">Cancels starting the leaderships.</param>
    /// <returns>A task that completes when started.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler was disposed.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Coordinator[] owned;
        lock (_gate)
        {
            if (_stopping is not null)
            {
                return;
            }

            owned = _owned.ToArray();
        }

        foreach (var coordinator in owned)
        {
            await coordinator.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            if (_stopping is not null)
            {
                return;
            }

            _stopping = new CancellationTokenSource();
            var now = _clock.GetTimestamp();
            foreach (var job in _order)
            {
                Schedule(job, now);
            }

            _timer = _clock.CreateTimer(static state => ((Scheduler)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            Rearm(now);
        }
    }

    /// <summary>
    /// Stops scheduling, cancels the running jobs' tokens and waits for them to end, then stops the leaderships the
    /// scheduler created (giving up those it holds).
    /// </summary>
    /// <param name="cancellationToken">Bounds the wait: when cancelled first, the jobs still running are left to end on their own.</param>
    /// <returns>A task that completes when every job has ended.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the running jobs ended.</exception>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        CancellationTokenSource? stopping;
        Task[] running;
        Coordinator[] owned;
        lock (_gate)
        {
            stopping = _stopping;
            if (stopping is null)
            {
                return;
            }

            _stopping = null;
            _timer?.Dispose();
            _timer = null;
            running = _order.Where(job => job.IsRunning).Select(job => job.Current).ToArray();
            foreach (var job in _order)
            {
                job.NextRun = null;
            }

            owned = _owned.ToArray();
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(running).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var coordinator in owned)
            {
                await coordinator.StopAsync(cancellationToken.IsCancellationRequested ? CancellationToken.None : cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops (waiting for the running jobs) and disposes the leaderships the scheduler created.</summary>
    /// <returns>A task that completes when disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        Coordinator[] owned;
        lock (_gate)
        {
            owned = _owned.ToArray();
        }

        foreach (var coordinator in owned)
        {
            await coordinator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string ParameterName(string option) =>
        string.Concat(char.ToLowerInvariant(option[0]).ToString(), option.AsSpan(1));

    private ScheduledJob AddValidated(ScheduledOptions options, Func<CancellationToken, ValueTask> job, Func<string, string>? parameterName)
    {
        OptionRules.ThrowFirst(options.Validate(), parameterName);
        var nameParameter = parameterName?.Invoke(nameof(ScheduledOptions.Name)) ?? nameof(ScheduledOptions.Name);
        CronExpression? cron = null;
        if (options.Cron is { } text)
        {
            try
            {
                var format = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
                cron = CronExpression.Parse(text, format);
            }
            catch (CronFormatException exception)
            {
                var parameter = parameterName?.Invoke(nameof(ScheduledOptions.Cron)) ?? nameof(ScheduledOptions.Cron);
                throw new ArgumentException($"'{text}' is not a valid cron expression: {exception.Message}", parameter, exception);
            }
        }

        var interval = options.IntervalSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        return AddCore(options.Name!, nameParameter, interval, cron, options.Cron, job, nameof(job), options.EffectiveLeadership);
    }

    private ScheduledJob AddCore(
        string name,
        string nameParameter,
        TimeSpan? interval,
        CronExpression? cron,
        string? cronText,
        Func<CancellationToken, ValueTask> run,
        string runParameter,
        string? leadership = null)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A scheduled job needs a name (not blank).", nameParameter);
        }

        ArgumentNullException.ThrowIfNull(run, runParameter);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        Coordinator? created = null;
        ScheduledJob job;
        bool started;
        lock (_gate)
        {
            if (_jobs.ContainsKey(name))
            {
                throw new ArgumentException($"A job named '{name}' is already scheduled; give each job its own name.", nameParameter);
            }

            if (leadership is not null && !_leaderships.ContainsKey(leadership))
            {
                created = new Coordinator(_runtime, new CoordinatorOptions { LockName = leadership });
                _leaderships.Add(leadership, created);
                _owned.Add(created);
            }

            job = new ScheduledJob(name, interval, cron, cronText, leadership, run);
            _jobs.Add(name, job);
            _order.Add(job);
            started = _stopping is not null;
            if (started)
            {
                var now = _clock.GetTimestamp();
                Schedule(job, now);
                Rearm(now);
            }
        }

        if (started && created is not null)
        {
            _ = StartLeadershipAsync(created);
        }

        return job;
    }

    private async Task StartLeadershipAsync(Coordinator coordinator)
    {
        try
        {
            await coordinator.StartAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            SchedulerLog.LeadershipStartFailed(_logger, exception, coordinator.LockName);
        }
    }

    /// <summary>Sets a job's first occurrence (under the lock).</summary>
    private void Schedule(ScheduledJob job, long now)
    {
        if (job.Interval is { } interval)
        {
            job.Origin = now;
            job.Occurrence = 1;
            job.Due = Saturating(now, Ticks(interval));
        }
        else
        {
            var utcNow = _clock.GetUtcNow();
            SetCronDue(job, job.CronSchedule!.GetNextOccurrence(utcNow, TimeZoneInfo.Utc), utcNow, now);
        }

        SetNextRun(job, now);
    }

    /// <summary>After a run (or an occurrence skipped for want of leadership): the first occurrence not yet passed (under the lock).</summary>
    private long Advance(ScheduledJob job, long now)
    {
        long skipped;
        if (job.Interval is { } interval)
        {
            var step = Ticks(interval);
            var elapsed = now - job.Origin;
            var next = (elapsed / step) + (elapsed % step == 0 ? 0 : 1);
            if (next <= job.Occurrence)
            {
                next = job.Occurrence + 1;
            }

            skipped = next - job.Occurrence - 1;
            job.Occurrence = next;
            job.Due = next > long.MaxValue / step ? long.MaxValue : Saturating(job.Origin, next * step);
        }
        else
        {
            var utcNow = _clock.GetUtcNow();
            var cron = job.CronSchedule!;
            var next = cron.GetNextOccurrence(utcNow, TimeZoneInfo.Utc, inclusive: true);
            if (next is { } found && found <= job.CronDue)
            {
                next = cron.GetNextOccurrence(job.CronDue, TimeZoneInfo.Utc, inclusive: false);
            }

            skipped = next is { } upTo
                ? cron.GetOccurrences(job.CronDue, upTo, TimeZoneInfo.Utc, fromInclusive: false, toInclusive: false).LongCount()
                : 0;
            SetCronDue(job, next, utcNow, now);
        }

        if (skipped > 0)
        {
            job.CountSkipped(skipped);
        }

        SetNextRun(job, now);
        return skipped;
    }

    private void SetCronDue(ScheduledJob job, DateTimeOffset? next, DateTimeOffset utcNow, long now)
    {
        if (next is { } occurrence)
        {
            job.CronDue = occurrence;
            job.Due = Saturating(now, Ticks(occurrence - utcNow));
        }
        else
        {
            job.Due = long.MaxValue;
        }
    }

    private void SetNextRun(ScheduledJob job, long now) =>
        job.NextRun = job.Due == long.MaxValue ? null : _clock.GetUtcNow() + _clock.GetElapsedTime(now, job.Due);

    private void OnTimer()
    {
        lock (_gate)
        {
            var stopping = _stopping;
            if (stopping is null)
            {
                return;
            }

            var now = _clock.GetTimestamp();
            foreach (var job in _order)
            {
                if (job.IsRunning || job.Due - _toleranceTicks > now)
                {
                    continue;
                }

                var token = stopping.Token;
                CancellationTokenSource? linked = null;
                if (job.Leadership is { } leadership)
                {
                    var coordinator = _leaderships[leadership];
                    var lost = coordinator.LeadershipLost;
                    if (lost.IsCancellationRequested)
                    {
                        // Not leading: this occurrence belongs to the leader.
                        Advance(job, now);
                        continue;
                    }

                    linked = CancellationTokenSource.CreateLinkedTokenSource(token, lost);
                    token = linked.Token;
                }

                job.IsRunning = true;
                job.NextRun = null;
                job.CountRun();
                job.Current = Task.Run(() => RunAsync(job, linked, token));
            }

            // Last in the locked section: a clock that fires a timer synchronously re-enters OnTimer here, on consistent state.
            Rearm(now);
        }
    }

    private async Task RunAsync(ScheduledJob job, CancellationTokenSource? linked, CancellationToken cancellationToken)
    {
        try
        {
            await job.Run(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped, or the leadership was lost: not a failure.
        }
        catch (Exception exception)
        {
            job.CountFailure();
            SchedulerLog.JobFailed(_logger, exception, job.Name);
            try
            {
                JobFailed?.Invoke(this, new ScheduledJobFailedEventArgs(job, exception));
            }
            catch (Exception handlerException)
            {
                SchedulerLog.HandlerFailed(_logger, handlerException, job.Name);
            }
        }
        finally
        {
            linked?.Dispose();
            Finished(job);
        }
    }

    private void Finished(ScheduledJob job)
    {
        long skipped = 0;
        lock (_gate)
        {
            // The next occurrence is set before the job shows as idle, so whoever sees it idle sees its schedule.
            var now = _clock.GetTimestamp();
            var started = _stopping is not null;
            if (started)
            {
                skipped = Advance(job, now);
            }

            job.IsRunning = false;
            if (started)
            {
                Rearm(now);
            }
        }

        if (skipped > 0)
        {
            SchedulerLog.RunsSkipped(_logger, job.Name, skipped);
        }

        try
        {
            JobCompleted?.Invoke(this, new ScheduledJobCompletedEventArgs(job));
        }
        catch (Exception handlerException)
        {
            SchedulerLog.HandlerFailed(_logger, handlerException, job.Name);
        }
    }

    /// <summary>Sets the one timer for the earliest due idle job (under the lock, as the last step).</summary>
    private void Rearm(long now)
    {
        var earliest = long.MaxValue;
        foreach (var job in _order)
        {
            if (!job.IsRunning && job.Due < earliest)
            {
                earliest = job.Due;
            }
        }

        if (earliest == long.MaxValue)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        SetTimer(earliest, now);

        // A timer is set relative to the clock: had the clock moved on since `now` was read, it would fire that much late.
        var after = _clock.GetTimestamp();
        if (after != now)
        {
            SetTimer(earliest, after);
        }
    }

    private void SetTimer(long due, long now)
    {
        var delay = due <= now ? TimeSpan.Zero : _clock.GetElapsedTime(now, due);

        // A due time beyond what one timer takes: wake up at the limit and set the timer again then.
        _timer?.Change(delay > LongTimer.MaxChunk ? LongTimer.MaxChunk : delay, Timeout.InfiniteTimeSpan);
    }

    private long Ticks(TimeSpan duration)
    {
        var ticks = duration.TotalSeconds * _clock.TimestampFrequency;
        return ticks >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)Math.Ceiling(ticks);
    }

    private static long Saturating(long start, long add) => start > long.MaxValue - add ? long.MaxValue - 1 : start + add;
}
