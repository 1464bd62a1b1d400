package io.baton.node.admin;

import io.baton.coordinator.ratis.BatonStateMachine;
import io.baton.coordinator.ratis.StateListener;
import io.baton.proto.Command;
import io.baton.proto.CommandResult;
import io.baton.proto.Event;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Fans the events recorded in the replicated state out to watchers. Applies happen on Ratis threads;
 * delivery happens on one thread of its own, so a slow watcher never stalls the state machine.
 * Once closed it ignores what is applied (the daemon closes Raft first, so that is a safety net).
 */
public final class EventHub implements StateListener, AutoCloseable {
    private final BatonStateMachine stateMachine;
    private final List<Consumer<Event>> watchers = new CopyOnWriteArrayList<>();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "baton-events");
        t.setDaemon(true);
        return t;
    });
    private long delivered;

    public EventHub(BatonStateMachine stateMachine) {
        this.stateMachine = stateMachine;
        this.delivered = stateMachine.read(s -> s.nextEventSeq() - 1);
    }

    @Override
    public void applied(Command command, CommandResult result, long logIndex) {
        try {
            delivery.execute(this::deliverNew);
        } catch (RejectedExecutionException e) {
            // closed: nobody is left to deliver to
        }
    }

    private void deliverNew() {
        List<Event> fresh = stateMachine.read(s -> s.events().stream().filter(e -> e.getSeq() > delivered).toList());
        for (Event e : fresh) {
            delivered = e.getSeq();
            watchers.forEach(w -> w.accept(e));
        }
    }

    /** The most recent {@code count} events, after {@code afterSeq}. */
    public List<Event> recent(long afterSeq, int count) {
        List<Event> all = stateMachine.read(s -> s.events().stream().filter(e -> e.getSeq() > afterSeq).toList());
        return all.subList(Math.max(0, all.size() - count), all.size());
    }

    public Runnable subscribe(Consumer<Event> watcher) {
        watchers.add(watcher);
        return () -> watchers.remove(watcher);
    }

    @Override
    public void close() {
        delivery.shutdownNow();
    }
}
