using System;
using System.Buffers;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using StackExchange.Redis;
using Throttle.Internal;
using Throttle.Limiters;
using Throttle.Limiters.Backends;

namespace Throttle.Storage.Redis;

/// <summary>
/// Request coalescing for one Redis limiter backend: concurrent acquisitions of one key in this process go to Redis as
/// one script call. A key's first caller sends its request at once; callers arriving while a call for that key is in
/// flight join the key's next batch, which is sent, as one call for all of them, when the call in flight returns. The
/// script decides the batch in arrival order exactly as one-by-one calls at that server instant would be decided: no
/// tokens are reserved here, so processes sharing the key can never be over-admitted. Distinct keys never wait for
/// each other: their calls pipeline on the connection as before.
/// </summary>
/// <remarks>
/// <para>A caller cancelled while its batch is in flight gets <see cref="OperationCanceledException"/> at once; if the
/// batch then grants it tokens, they are given back (the backend's release). A cancelled caller still waiting for its
/// batch to be sent is left out of it. When Redis fails, every caller of the failed batch (and of the batch queued
/// behind it, which would have been sent into the same failure) gets the failure policy's answer; a caller therefore
/// waits at most the rest of the call in flight plus its own, each bounded by the operation timeout.</para>
/// <para>Batches hold callers with the same rate (an adaptive limiter that changes it sends a caller with another
/// rate alone) and at most <see cref="MaxBatch"/> of them. Callers, keys' lanes and their lists are pooled, so a steady
/// stream of acquisitions allocates nothing here.</para>
/// </remarks>
internal sealed class RedisAcquireCoalescer
{
    /// <summary>The most callers one script call decides; more join the batch after.</summary>
    public const int MaxBatch = 256;

    private const int StripeCount = 64;
    private const int PooledWaitersPerStripe = 256;
    private const int PooledLanesPerStripe = 16;

    private readonly RedisLimiterBackend _backend;
    private readonly Stripe[] _stripes = new Stripe[StripeCount];

    public RedisAcquireCoalescer(RedisLimiterBackend backend)
    {
        _backend = backend;
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new Stripe();
        }
    }

    /// <summary>Takes <paramref name="tokens"/> from <paramref name="key"/> with whichever call for that key goes next.</summary>
    public ValueTask<RateLimitDecision> AcquireAsync(string key, double tokens, LimiterRate rate, CancellationToken cancellationToken)
    {
        var stripe = _stripes[(int)((uint)key.GetHashCode() % StripeCount)];
        Waiter waiter;
        Lane? start = null;
        lock (stripe)
        {
            var lane = stripe.Find(key);
            if (lane is null)
            {
                lane = stripe.RentLane(this, key, rate);
                waiter = stripe.RentWaiter(tokens, cancellationToken);
                lane.Current.Add(waiter);
                start = lane;
            }
            else if (lane.Rate == rate && lane.Next.Count < MaxBatch)
            {
                waiter = stripe.RentWaiter(tokens, cancellationToken);
                lane.Next.Add(waiter);
            }
            else
            {
                waiter = null!;
            }
        }

        if (waiter is null)
        {
            // Another rate than the batch's, or a full batch: this caller goes alone.
            return _backend.AcquireAloneAsync(key, tokens, rate, cancellationToken);
        }

        start?.Run();
        return new ValueTask<RateLimitDecision>(waiter, waiter.Version);
    }

    /// <summary>The keys whose calls are in flight in one stripe of the table, and the pools of that stripe.</summary>
    internal sealed class Stripe
    {
        private readonly List<Lane> _lanes = [];
        private readonly Stack<Waiter> _freeWaiters = new();
        private readonly Stack<Lane> _freeLanes = new();

        /// <summary>Under the lock: the lane of <paramref name="key"/>, if a call for it is in flight.</summary>
        public Lane? Find(string key)
        {
            foreach (var lane in _lanes)
            {
                if (string.Equals(lane.Key, key, StringComparison.Ordinal))
                {
                    return lane;
                }
            }

            return null;
        }

        /// <summary>Under the lock.</summary>
        public Lane RentLane(RedisAcquireCoalescer owner, string key, LimiterRate rate)
        {
            var lane = _freeLanes.TryPop(out var free) ? free : new Lane(owner, this);
            lane.Key = key;
            lane.Rate = rate;
            _lanes.Add(lane);
            return lane;
        }

        /// <summary>Under the lock: the key has nothing in flight or queued any more.</summary>
        public void Retire(Lane lane)
        {
            _lanes.Remove(lane);
            lane.Key = null!;
            if (_freeLanes.Count < PooledLanesPerStripe)
            {
                _freeLanes.Push(lane);
            }
        }

        /// <summary>Under the lock.</summary>
        public Waiter RentWaiter(double tokens, CancellationToken cancellationToken)
        {
            var waiter = _freeWaiters.TryPop(out var free) ? free : new Waiter(this);
            waiter.Start(tokens, cancellationToken);
            return waiter;
        }

        public void Return(Waiter waiter)
        {
            lock (this)
            {
                if (_freeWaiters.Count < PooledWaitersPerStripe)
                {
                    _freeWaiters.Push(waiter);
                }
            }
        }
    }

    /// <summary>One key with a call in flight: the batch that call carries and the batch that goes next.</summary>
    internal sealed class Lane
    {
        private readonly RedisAcquireCoalescer _owner;
        private readonly Stripe _stripe;
        private readonly Action _onCallCompleted;
        private ValueTask<RedisResult> _call;

        public Lane(RedisAcquireCoalescer owner, Stripe stripe)
        {
            _owner = owner;
            _stripe = stripe;
            _onCallCompleted = OnCallCompleted;
        }

        public string Key { get; set; } = null!;

        public LimiterRate Rate { get; set; }

        /// <summary>The callers of the call in flight (only the lane touches it).</summary>
        public List<Waiter> Current { get; private set; } = [];

        /// <summary>The callers of the next call (under the stripe's lock).</summary>
        public List<Waiter> Next { get; private set; } = [];

        /// <summary>Sends <see cref="Current"/>; continues with the batches that queue up until none does.</summary>
        public void Run()
        {
            while (true)
            {
                DropCancelled();
                if (Current.Count > 0)
                {
                    // The call is awaited exactly once, by OnCallCompleted or Decide (CA2012 cannot see that through the field).
#pragma warning disable CA2012
                    try
                    {
                        _call = _owner._backend.SendBatchAsync(Key, Rate, Current);
                    }
                    catch (Exception exception)
                    {
                        _call = ValueTask.FromException<RedisResult>(exception);
                    }
#pragma warning restore CA2012

                    if (!_call.IsCompleted)
                    {
                        _call.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onCallCompleted);
                        return;
                    }

                    if (!Decide())
                    {
                        return;
                    }
                }
                else if (!TakeNext())
                {
                    return;
                }
            }
        }

        private void OnCallCompleted()
        {
            if (Decide())
            {
                Run();
            }
        }

        /// <summary>Hands the finished call's answers out; false when the lane is retired (nothing queued behind).</summary>
        private bool Decide()
        {
            RedisResult? result = null;
            Exception? failure = null;
            try
            {
                result = _call.GetAwaiter().GetResult();
            }
            catch (Exception exception)
            {
                failure = exception;
            }

            _call = default;
            while (true)
            {
                _owner.HandOut(Key, Rate, Current, result, failure);
                if (!TakeNext())
                {
                    return false;
                }

                if (failure is not ThrottleStorageException)
                {
                    return true;
                }

                // Redis could not be reached: the batch queued behind would be sent into the same failure; it shares
                // the answer rather than waiting another timeout.
            }
        }

        /// <summary>Moves the next batch into <see cref="Current"/>; false (and retires the lane) when there is none.</summary>
        private bool TakeNext()
        {
            lock (_stripe)
            {
                if (Next.Count == 0)
                {
                    _stripe.Retire(this);
                    return false;
                }

                (Current, Next) = (Next, Current);
                return true;
            }
        }

        /// <summary>Leaves out callers cancelled before their batch is sent: nothing to ask for, nothing to give back.</summary>
        private void DropCancelled()
        {
            var kept = 0;
            for (var i = 0; i < Current.Count; i++)
            {
                var waiter = Current[i];
                if (waiter.IsCancelled)
                {
                    waiter.LaneDone();
                }
                else
                {
                    Current[kept++] = waiter;
                }
            }

            Current.RemoveRange(kept, Current.Count - kept);
        }
    }

    /// <summary>Completes every caller of a finished call and empties the batch.</summary>
    private void HandOut(string key, LimiterRate rate, List<Waiter> batch, RedisResult? result, Exception? failure)
    {
        var giveBack = 0.0;
        RateLimitDecision[]? decisions = null;
        if (failure is null)
        {
            decisions = ArrayPool<RateLimitDecision>.Shared.Rent(batch.Count);
            try
            {
                RedisLimiterBackend.ReadBatchAnswer(result!, batch, rate, decisions);
            }
            catch (Exception exception)
            {
                ArrayPool<RateLimitDecision>.Shared.Return(decisions);
                decisions = null;
                failure = exception;
            }
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var waiter = batch[i];
            if (decisions is not null)
            {
                var decision = decisions[i];
                if (!waiter.TrySetResult(decision) && decision.IsAcquired)
                {
                    giveBack += waiter.Tokens;
                }
            }
            else if (failure is ThrottleStorageException storageFailure && _backend.Layer.AbsorbsFailures)
            {
                waiter.TrySetResult(_backend.FailurePolicyDecision(storageFailure));
            }
            else
            {
                waiter.TrySetException(failure!);
            }

            waiter.LaneDone();
        }

        batch.Clear();
        if (decisions is not null)
        {
            ArrayPool<RateLimitDecision>.Shared.Return(decisions);
        }

        if (giveBack > 0)
        {
            // Granted to callers that gave up meanwhile: the permits go back, as a release would give them.
            TaskObserver.ObserveFailure(_backend.ReleaseAsync(key, giveBack, rate, CancellationToken.None).AsTask());
        }
    }

    /// <summary>One caller waiting for its batch: a pooled <see cref="IValueTaskSource{TResult}"/> owned by the lane
    /// (until its batch is decided) and by the caller (until it reads the result); it returns to the pool after both.</summary>
    internal sealed class Waiter : IValueTaskSource<RateLimitDecision>
    {
        private const int Pending = 0;
        private const int Completed = 1;
        private const int Cancelled = 2;

        private static readonly Action<object?> s_cancel = static state => ((Waiter)state!).Cancel();

        private readonly Stripe _home;
        private ManualResetValueTaskSourceCore<RateLimitDecision> _core;
        private CancellationTokenRegistration _registration;
        private CancellationToken _cancellationToken;
        private int _state;
        private int _owners;

        public Waiter(Stripe home)
        {
            _home = home;
            // The caller's continuation (its work under the permit) never runs on the thread handing out a batch.
            _core.RunContinuationsAsynchronously = true;
        }

        public double Tokens { get; private set; }

        public short Version => _core.Version;

        public bool IsCancelled => Volatile.Read(ref _state) == Cancelled;

        public void Start(double tokens, CancellationToken cancellationToken)
        {
            Tokens = tokens;
            _state = Pending;
            _owners = 2;
            _cancellationToken = cancellationToken;
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(s_cancel, this);
            }
        }

        public bool TrySetResult(RateLimitDecision decision)
        {
            if (Interlocked.CompareExchange(ref _state, Completed, Pending) != Pending)
            {
                return false;
            }

            _core.SetResult(decision);
            return true;
        }

        public void TrySetException(Exception exception)
        {
            if (Interlocked.CompareExchange(ref _state, Completed, Pending) == Pending)
            {
                _core.SetException(exception);
            }
        }

        /// <summary>The lane is done with this caller: no cancellation callback runs after this returns.</summary>
        public void LaneDone()
        {
            _registration.Dispose();
            _registration = default;
            Release();
        }

        public RateLimitDecision GetResult(short token)
        {
            try
            {
                return _core.GetResult(token);
            }
            finally
            {
                Release();
            }
        }

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        private void Cancel()
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Pending) == Pending)
            {
                _core.SetException(new OperationCanceledException(_cancellationToken));
            }
        }

        private void Release()
        {
            if (Interlocked.Decrement(ref _owners) == 0)
            {
                _cancellationToken = default;
                _core.Reset();
                _home.Return(this);
            }
        }
    }
}
