package io.lamaserve.model;

import java.util.List;

/** The model does not have lama-serve's I/O contract; the message lists every mismatch. */
public class ModelContractException extends RuntimeException {
    public ModelContractException(List<String> problems) {
        super("The model does not fit lama-serve's contract: " + String.join("; ", problems));
    }
}
