return { redis.call('GET', @key), redis.call('PTTL', @key) }
