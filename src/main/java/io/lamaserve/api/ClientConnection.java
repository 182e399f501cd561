package io.lamaserve.api;

import io.vertx.core.http.HttpServerRequest;

import java.util.function.Consumer;

/** Runs an action when the client closes the connection before its response was sent. */
final class ClientConnection {

    private ClientConnection() {
    }

    static Consumer<Runnable> onClose(HttpServerRequest request) {
        return action -> request.response().closeHandler(ignored -> action.run());
    }
}
