package io.baton.coordinator.ratis;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis's gRPC transport with Baton's {@link CatchUpLogAppender}. Ratis finds an RPC type by its
 * name, which for a type of one's own is the class name (it instantiates the class by reflection),
 * so this class needs its public no-argument constructor.
 */
public final class BatonRpcType implements RpcType {

    @Override
    public String name() {
        return BatonRpcType.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new Factory(parameters);
    }

    /** gRPC as Ratis builds it, with log appenders that install a snapshot where Ratis's would fail. */
    static final class Factory extends GrpcFactory {
        Factory(Parameters parameters) {
            super(parameters);
        }

        @Override
        public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
            return new CatchUpLogAppender(server, state, follower);
        }
    }
}
